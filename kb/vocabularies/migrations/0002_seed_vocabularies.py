"""The starting vocabularies of DOMAIN.md. Editors manage them afterwards in the admin."""

from django.db import migrations

STARTING_TERMS = {
    "Issue": "停车难 违章建筑 噪音扰民 邻里纠纷 环境卫生 垃圾分类 宠物管理 养老服务 儿童与青少年 助残 "
    "新居民融入 物业矛盾 老旧小区管理 公共空间营造 社区安全 商户扰民 就业创业 社区文化 家政服务 "
    "邻里互助 社区信任",
    "Actor": "党组织 街道办事处 居委会 村委会 业委会 物业公司 社会组织 居民自组织 社区基金会 商户 "
    "驻区单位 志愿者 专业社工 议事会 高校与专家",
    "Method": "居民议事会 开放空间 需求调查 项目化管理 项目评审会 社区公共财政 自治规约 志愿服务 "
    "能力建设培训 能人工作坊 社区规划师 网格化管理 线上平台 院落自治 联席会议 民主协商 组织孵化 "
    "政府购买服务 参与式评估",
    "CommunityType": "老旧院落 商品房小区 平房区 别墅区 安置房小区 无物业小区 农村社区 混合型社区",
    "PolicyLevel": "中央 国务院部门 省级 市级 区县级 街道乡镇",
    "Validity": "现行有效 已修订 已废止 尚未生效",
    "Audience": "居委会工作人员 社区骨干 社会组织从业者 社工 党政干部 业委会成员 志愿者 居民",
}


def seed(apps, schema_editor):
    for model_name, names in STARTING_TERMS.items():
        model = apps.get_model("vocabularies", model_name)
        for position, name in enumerate(names.split(), start=1):
            model.objects.get_or_create(name=name, defaults={"sort_order": position})


def unseed(apps, schema_editor):
    for model_name, names in STARTING_TERMS.items():
        apps.get_model("vocabularies", model_name).objects.filter(name__in=names.split()).delete()


class Migration(migrations.Migration):
    dependencies = [("vocabularies", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
