"""Search benchmark: synthetic Chinese case libraries of growing size, indexed and queried by the
site's embedded backend and, side by side in the same run, by stock Wagtail's database backend.

    python manage.py search_benchmark --sizes 1000,10000,100000 --write

It never touches the developer's database. By default it creates a throwaway database the way
Django's test runner does (`connection.creation.create_test_db`: on SQLite a new file in a
temporary folder, on PostgreSQL a database named `<NAME>_search_benchmark`), migrates it, runs
there and destroys it at the end (`--keep-database` keeps it and prints where it is). The
developer's own database is never opened. `--in-place` runs on the configured database instead,
for the test suite: it refuses unless that database holds no knowledge pages at all.

For each size the case pages are created in bulk (rows written directly, with treebeard paths
computed under the case index page: creating 100k pages one by one takes hours), which is not
timed. Then, timed: building our index (`build_document` + `DatabaseBackend.index` in batches)
and stock Wagtail's index of the same pages (`update_index`'s steps, for `CasePage`); then a
fixed, seeded set of queries of three kinds (text only, one facet only, text and two facets),
each run on both, alternating. Progress goes to stderr; the report to stdout and, with
`--write`, to docs/search-benchmark.md.
"""

import json
import math
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import django
import wagtail
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection, transaction
from django.db.models import Q
from wagtail.models import Page
from wagtail.search.backends import get_search_backend
from wagtail.search.models import IndexEntry

from kb.cases.models import CaseIndexPage, CasePage
from kb.core.page_types import page_model, type_keys
from kb.core.site_structure import ensure_site_structure
from kb.vocabularies.models import Actor, CommunityType, Issue, Method, Region
from search.backends import rankings
from search.backends.database import DatabaseBackend
from search.indexing import rebuild
from search.query import SearchQuery

STOCK_BACKEND = "wagtail.search.backends.database"  # by path: the "default" alias may be replaced
DEFAULT_SIZES = "1000,10000,100000"
DEFAULT_QUERIES = 50
DEFAULT_SEED = 20261122
CREATE_BATCH = 1000
STOCK_CHUNK = 1000  # update_index's default chunk size
PAGE_SIZE = 20
WARM_UP_QUERIES = 5  # per kind, untimed, before the timed ones
QUERY_TIMEOUT = 10.0  # seconds: a query still running is stopped and reported as slower than this
MAX_TIMEOUTS = 3  # a backend stops running a kind of query at a size after this many time-outs
SLUG_PREFIX = "bench-"
REPORT_PATH = Path(settings.BASE_DIR) / "docs" / "search-benchmark.md"

# Targets from the issue, for SQLite at 100k pages.
TARGET_SIZE = 100_000
TARGET_P95_MS = {"text_facets": 50.0, "text": 50.0, "facet": 20.0}  # p95 per query kind
TARGET_BUILD_S = 120.0

KINDS = {
    "text": "text only",
    "facet": "one facet only",
    "text_facets": "text + two facets",
}

# ---------------------------------------------------------------------------------------------
# The synthetic corpus: real community-governance vocabulary in template sentences.
# ---------------------------------------------------------------------------------------------

# Issue (seeded vocabulary) → relative frequency in the corpus, and phrases that talk about it.
ISSUE_TOPICS = {
    "停车难": (9, ["停车", "停车位", "车位", "乱停乱放", "错时停车", "停车收费", "电动车充电", "消防通道"]),
    "物业矛盾": (8, ["物业", "物业费", "物业服务", "信托制物业", "公共收益", "物业公司", "维修基金"]),
    "老旧小区管理": (8, ["老旧小区改造", "加装电梯", "管网改造", "楼道照明", "屋顶漏水", "自主更新"]),
    "养老服务": (7, ["养老服务", "老年食堂", "助餐点", "居家养老", "独居老人", "日间照料", "适老化改造"]),
    "垃圾分类": (6, ["垃圾分类", "厨余垃圾", "分类投放", "撤桶并点", "定时定点", "垃圾房"]),
    "环境卫生": (6, ["环境卫生", "楼道清理", "卫生死角", "清洁家园", "绿化养护"]),
    "公共空间营造": (6, ["公共空间", "口袋公园", "社区花园", "微更新", "闲置空间", "共享客厅"]),
    "邻里互助": (5, ["邻里互助", "时间银行", "互助会", "邻里守望", "共享工具"]),
    "社区文化": (5, ["社区文化", "文艺队", "邻里节", "社区记忆", "社区图书馆"]),
    "儿童与青少年": (4, ["儿童友好", "四点半课堂", "青少年", "儿童议事会", "托育服务"]),
    "邻里纠纷": (4, ["邻里纠纷", "矛盾调解", "楼上漏水", "调解室", "人民调解"]),
    "社区安全": (4, ["社区安全", "安全隐患", "楼道堆物", "治安巡逻", "消防演练"]),
    "噪音扰民": (3, ["噪音", "广场舞", "夜间施工", "扰民投诉"]),
    "违章建筑": (3, ["违章建筑", "私搭乱建", "拆除违建", "占用绿地"]),
    "宠物管理": (3, ["文明养犬", "宠物", "犬只登记", "宠物粪便"]),
    "商户扰民": (3, ["商户", "油烟", "占道经营", "临街商铺"]),
    "新居民融入": (2, ["新居民", "外来务工人员", "社区融入", "租户"]),
    "就业创业": (2, ["就业", "创业", "技能培训", "社区企业"]),
    "社区信任": (2, ["社区信任", "熟人社会", "邻里关系", "守信"]),
    "家政服务": (1, ["家政服务", "上门维修", "家政"]),
    "助残": (1, ["助残", "残障人士", "无障碍设施"]),
}
GENERIC_TOPICS = [
    "议事规则",
    "公共收益",
    "居民公约",
    "社区参与",
    "邻里关系",
    "公共事务",
    "社区治理",
    "居民自治",
]
PEOPLE = ["居民", "业主", "楼栋长", "网格员", "退休教师", "党员", "租户", "老年居民", "社区骨干"]
PLACES = [
    ("四川省/成都市/武侯区", 6), ("四川省/成都市/锦江区", 4), ("四川省/成都市/成华区", 4),
    ("四川省/成都市/金牛区", 3), ("四川省/成都市/青羊区", 3), ("四川省/成都市/郫都区", 2),
    ("四川省/绵阳市/涪城区", 1), ("北京市/朝阳区", 4), ("北京市/海淀区", 3), ("北京市/东城区", 2),
    ("北京市/西城区", 2), ("北京市/大兴区", 2), ("上海市/杨浦区", 3), ("上海市/徐汇区", 2),
    ("上海市/浦东新区", 3), ("上海市/静安区", 2), ("广东省/深圳市/南山区", 2),
    ("广东省/深圳市/福田区", 2), ("广东省/广州市/越秀区", 2), ("广东省/广州市/天河区", 1),
    ("浙江省/杭州市/西湖区", 2), ("浙江省/杭州市/上城区", 2), ("浙江省/宁波市/海曙区", 1),
    ("江苏省/南京市/鼓楼区", 2), ("江苏省/苏州市/姑苏区", 1), ("湖北省/武汉市/江汉区", 1),
    ("湖南省/长沙市/岳麓区", 1), ("重庆市/渝中区", 2), ("重庆市/九龙坡区", 1),
    ("山东省/青岛市/市南区", 1), ("陕西省/西安市/碑林区", 1), ("云南省/昆明市/五华区", 1),
    ("天津市/和平区", 1), ("福建省/厦门市/思明区", 1),
]  # fmt: skip
COMMUNITY_TYPES = [
    ("老旧院落", 6), ("商品房小区", 6), ("安置房小区", 3), ("无物业小区", 3), ("混合型社区", 3),
    ("农村社区", 2), ("平房区", 1), ("别墅区", 1),
]  # fmt: skip
NAME_PARTS = [
    "玉林", "望江", "锦华", "新民", "和平", "光明", "桂花", "枣子巷", "水井坊", "曹家巷", "双林", "猛追湾", "翠竹", "石人", "金沙",
    "清水河", "东湖", "南苑", "北街", "西岭", "梧桐", "芳草", "红星", "晨曦", "朝阳", "建设", "幸福", "新华", "长寿", "兴隆",
    "大慈", "草堂", "磨子桥", "跳伞塔",
]  # fmt: skip
NAME_SUFFIXES = ["社区", "小区", "院落", "街区", "村"]

SECTION_TEMPLATES = {
    "background": [
        "这个小区建成于上世纪{decade}年代，共有{n}栋楼、{h}户居民，{t}问题长期困扰着大家。",
        "近年来，围绕{t}的投诉逐年增多，{a}多次上门协调，效果都不理想。",
        "小区没有成立业主委员会，{t}和{t2}相互交织，居民之间的矛盾越积越深。",
        "据{a}统计，仅{year}年一年，涉及{t}的信访就有{n}件。",
        "老年居民占比超过{pct}%，{t}成为居民最关心的问题之一。",
        "{t}看似小事，却牵动着{h}户居民的日常生活。",
        "{g}反映，{t}已经影响到邻里关系，大家都希望有人出面解决。",
    ],
    "actors": [
        "{a}牵头，联合{a2}和{a3}成立了{t}工作小组。",
        "参与的主体包括{a}、{a2}、{a3}，以及热心的楼栋长和退休教师。",
        "{a}负责组织动员，{a2}提供专业支持，{a3}出资{n}万元。",
        "在{a}的支持下，{n}名居民骨干自发组建了志愿服务队，专门关注{t}。",
        "{a2}在{t}议题上积累了多年经验，被邀请作为第三方参与。",
        "居民议事会的{n}名成员由各楼栋推选产生，其中一半是{g}。",
    ],
    "process": [
        "工作小组先后开展了{n}次入户走访和{m}，梳理出{t}、{t2}等{k}类问题。",
        "他们采用{m}的方式，把{t}拆解成若干个可以落地的小项目。",
        "第一阶段以{t}为切入点，第二阶段逐步拓展到{t2}。",
        "社区规划师带领居民绘制社区地图，标出与{t}有关的{n}处问题点位。",
        "通过{m}，居民提出了{n}条关于{t}的建议，其中{k}条被采纳。",
        "项目资金来自社区公共财政和{a}的配套支持，总额约{n}万元。",
    ],
    "deliberation": [
        "在{m}上，居民代表围绕{t}展开了充分讨论，最终以{pct}%的赞成票通过了方案。",
        "议事会前后召开了{k}次会议，就{t}的收费标准和管理办法反复协商。",
        "经过民主协商，居民共同制定了关于{t}的自治规约，并在楼道公示。",
        "对于{t2}的分歧，{a}组织了听证会，请各方把意见摆到桌面上。",
        "业主委员会与物业公司就{t}签订了补充协议，明确了双方的责任。",
        "表决采用一户一票，{g}和租户都可以列席发言。",
    ],
    "outcomes": [
        "经过{k}个月的努力，{t}方面的投诉下降了{pct}%，参与的居民超过{n}人。",
        "{t}问题基本得到解决，居民满意度从{pct2}%提升到{pct}%。",
        "项目带动{n}名居民成为志愿者，{t2}也随之有了改善。",
        "第三方评估显示，{t}相关的矛盾纠纷减少了{k}成以上。",
        "这一做法后来被推广到全区{n}个社区，{t}的经验写进了街道的工作指引。",
    ],
    "lessons": [
        "{t}的解决离不开{a}的持续投入，也需要把{m}制度化。",
        "经验表明，先从{t}这样的小切口入手，更容易获得居民的信任。",
        "反思整个过程，{t2}方面的工作还不够深入，后续需要{a}进一步跟进。",
        "议事规则要简单易懂，否则{m}很容易流于形式。",
        "居民的事情居民商量着办，{t}的经验可以复制到其他老旧小区。",
    ],
}
SECTION_CHARS = 250  # about 1,500 characters of body over six sections
OWN_SENTENCES = 0.6  # share of a section's sentences about the page's own issues; the rest are generic
CROSS_MENTIONS = 0.25  # chance that a sentence about one issue also names any other topic
TITLE_TEMPLATES = [
    "{c}：以{m}破解{t}难题",
    "{c}的{t}治理实践",
    "从{t}到{t2}：{c}的社区营造之路",
    "{c}居民协商解决{t}",
    "{t}怎么办？{c}的{m}探索",
]
SUMMARY_TEMPLATES = [
    "{city}{c}通过{m}，推动{a}与居民共同解决{t}问题，{n}户居民参与，投诉明显减少，做法已在周边社区推广。",
    "面对{t}和{t2}，{c}由{a}牵头组织{m}，居民商定规则、自筹资金，{k}个月后{t}问题基本解决。",
    "{c}把{t}作为社区营造的切入点，依托{m}动员居民和{a}参与，形成了可复制的长效机制。",
]


def _weighted_sample(rng, population, weights, count):
    chosen = []
    while len(chosen) < count:
        pick = rng.choices(population, weights)[0]
        if pick not in chosen:
            chosen.append(pick)
    return chosen


class Corpus:
    """Deterministic case pages: page i is the same in every run with the same seed."""

    def __init__(self, seed):
        self.seed = seed
        self.issues = {issue.name: issue.pk for issue in Issue.objects.all()}
        self.actors = {actor.name: actor.pk for actor in Actor.objects.all()}
        self.methods = {method.name: method.pk for method in Method.objects.all()}
        self.community_types = {term.name: term.pk for term in CommunityType.objects.all()}
        missing = [name for name in ISSUE_TOPICS if name not in self.issues]
        missing += [name for name, _ in COMMUNITY_TYPES if name not in self.community_types]
        if missing or not self.actors or not self.methods:
            raise CommandError(
                f"The seeded vocabularies are missing terms: {', '.join(missing) or 'actors/methods'}."
            )
        self.regions = {path: Region.get_or_create_path(path) for path, _ in PLACES}
        self.issue_names = list(ISSUE_TOPICS)
        self.issue_weights = [weight for weight, _ in ISSUE_TOPICS.values()]
        self.all_topics = [phrase for _, phrases in ISSUE_TOPICS.values() for phrase in phrases]
        # Sentence pools, per section kind: per issue (sentences about it) and generic ones.
        rng = random.Random(f"{seed}-pools")
        self.pools = {}
        for kind, templates in SECTION_TEMPLATES.items():
            by_issue = {}
            for issue, (_, phrases) in ISSUE_TOPICS.items():
                by_issue[issue] = [self._fill(rng, rng.choice(templates), phrases) for _ in range(60)]
            generic = [self._fill(rng, rng.choice(templates), GENERIC_TOPICS, cross=0.2) for _ in range(300)]
            self.pools[kind] = (by_issue, generic)

    def _fill(self, rng, template, topics, cross=CROSS_MENTIONS, **fixed):
        """A sentence about `topics`; its second topic is, with probability `cross`, any topic."""
        pct = rng.randint(30, 95)
        a, a2, a3 = rng.sample(list(self.actors), 3)
        slots = {
            "t": rng.choice(topics),
            "t2": rng.choice(self.all_topics) if rng.random() < cross else rng.choice(topics),
            "a": a,
            "a2": a2,
            "a3": a3,
            "m": rng.choice(list(self.methods)),
            "g": rng.choice(PEOPLE),
            "n": rng.randint(3, 400),
            "h": rng.randint(80, 3000),
            "k": rng.randint(2, 12),
            "pct": pct,
            "pct2": max(5, pct - rng.randint(10, 40)),
            "decade": rng.choice(["七十", "八十", "九十"]),
            "year": rng.randint(2008, 2024),
        }
        slots.update(fixed)
        return template.format(**slots)

    def case(self, i):
        """(page fields, case fields, issue ids, actor ids, method ids) of case page i."""
        rng = random.Random(f"{self.seed}-case-{i}")
        issues = _weighted_sample(rng, self.issue_names, self.issue_weights, rng.choice([1, 1, 2, 2, 3]))
        actors = rng.sample(list(self.actors), rng.randint(2, 4))
        methods = rng.sample(list(self.methods), rng.randint(1, 3))
        path = rng.choices([p for p, _ in PLACES], [w for _, w in PLACES])[0]
        community_type = rng.choices([n for n, _ in COMMUNITY_TYPES], [w for _, w in COMMUNITY_TYPES])[0]
        own_topics = [phrase for issue in issues for phrase in ISSUE_TOPICS[issue][1]]
        community = rng.choice(NAME_PARTS) + rng.choice(NAME_SUFFIXES)
        city = path.split("/")[1]
        common = {"c": community, "city": city, "a": actors[0], "m": methods[0]}
        title = self._fill(rng, rng.choice(TITLE_TEMPLATES), own_topics, **common)
        summary = self._fill(rng, rng.choice(SUMMARY_TEMPLATES), own_topics, **common)
        blocks = []
        for kind, (by_issue, generic) in self.pools.items():
            paragraphs, length = [], 0
            if kind == "background":
                first = f"{community}位于{path.replace('/', '')}。"
                paragraphs.append(first)
                length += len(first)
            while length < SECTION_CHARS:
                pool = by_issue[rng.choice(issues)] if rng.random() < OWN_SENTENCES else generic
                sentence = rng.choice(pool)
                paragraphs.append(sentence)
                length += len(sentence)
            half = len(paragraphs) // 2 or 1
            content = "".join(
                f"<p>{''.join(part)}</p>" for part in (paragraphs[:half], paragraphs[half:]) if part
            )
            blocks.append(
                {
                    "type": "section",
                    "value": {"kind": kind, "heading": "", "content": content},
                    "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                }
            )
        year_start = rng.randint(2005, 2024)
        year_end = year_start + rng.choice([0, 0, 1, 2, 3]) if rng.random() < 0.5 else None
        published = datetime(
            min(year_end or year_start, 2025), rng.randint(1, 12), rng.randint(1, 28), tzinfo=UTC
        )
        page_fields = {"title": title[:255], "published": published}
        case_fields = {
            "summary": summary,
            "region_id": self.regions[path].pk,
            "community_type_id": self.community_types[community_type],
            "year_start": year_start,
            "year_end": year_end,
            "scale": f"{rng.randint(1, 30)}个小区、约{rng.randint(1, 20)}千户",
            "body": blocks,
        }
        return (
            page_fields,
            case_fields,
            [self.issues[n] for n in issues],
            [self.actors[n] for n in actors],
            [self.methods[n] for n in methods],
        )


def insert_rows(model, objects):
    """INSERT the model's own table rows (not its parents'), as Model.save would prepare them."""
    fields = model._meta.local_concrete_fields
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    rows = [[f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields] for obj in objects]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


@transaction.atomic
def create_cases(corpus, parent, start, stop):
    """Live case pages start..stop-1 under `parent`, written in bulk: real pages, no signals."""
    parent = Page.objects.select_for_update().get(pk=parent.pk)
    content_type = ContentType.objects.get_for_model(CasePage)
    last = Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1).order_by("-path").first()
    step = Page._str2int(last.path[-Page.steplen :]) if last else 0
    pages, cases, links = [], [], []
    for i in range(start, stop):
        page_fields, case_fields, issue_ids, actor_ids, method_ids = corpus.case(i)
        step += 1
        slug = f"{SLUG_PREFIX}{i:06d}"
        published = page_fields["published"]
        pages.append(
            Page(
                path=Page._get_path(parent.path, parent.depth + 1, step),
                depth=parent.depth + 1,
                numchild=0,
                title=page_fields["title"],
                draft_title=page_fields["title"],
                slug=slug,
                content_type=content_type,
                url_path=f"{parent.url_path}{slug}/",
                locale_id=parent.locale_id,
                live=True,
                has_unpublished_changes=False,
                first_published_at=published,
                last_published_at=published,
                show_in_menus=False,
            )
        )
        cases.append(case_fields)
        links.append((issue_ids, actor_ids, method_ids))
    Page.objects.bulk_create(pages)
    objects = [CasePage(page_ptr_id=page.pk, **fields) for page, fields in zip(pages, cases, strict=True)]
    insert_rows(CasePage, objects)
    for position, name in enumerate(("issues", "actors", "methods")):
        field = CasePage._meta.get_field(name)
        through = field.remote_field.through
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        through.objects.bulk_create(
            through(**{f"{source}_id": page.pk, f"{target}_id": term_id})
            for page, ids in zip(pages, links, strict=True)
            for term_id in ids[position]
        )
    children = Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1).count()
    Page.objects.filter(pk=parent.pk).update(numchild=children)


# ---------------------------------------------------------------------------------------------
# The queries: fixed by the seed, the same at every size and for both backends.
# ---------------------------------------------------------------------------------------------

# Text queries practitioners type, each with the issue a user would then pick as a facet.
TEXT_QUERIES = [
    ("停车", "停车难"),
    ("加装电梯", "老旧小区管理"),
    ("养老 服务", "养老服务"),
    ("垃圾分类", "垃圾分类"),
    ("业主委员会", "物业矛盾"),
    ("物业", "物业矛盾"),
    ("老旧小区改造", "老旧小区管理"),
    ("议事会", "邻里纠纷"),
    ("社区基金会", "公共空间营造"),
    ("儿童友好", "儿童与青少年"),
    ("信托制物业", "物业矛盾"),
    ("时间银行", "邻里互助"),
    ("口袋公园", "公共空间营造"),
    ("文明养犬", "宠物管理"),
    ("居民 协商", "社区信任"),
    ("邻里纠纷 调解", "邻里纠纷"),
]
REGION_FILTERS = [
    "四川省",
    "四川省/成都市",
    "北京市",
    "上海市",
    "广东省",
    "浙江省/杭州市",
    "重庆市",
    "江苏省",
]


def query_set(seed, count):
    """{kind: [(text, {facet: [value]})]}: `count` queries per kind."""
    rng = random.Random(f"{seed}-queries")
    issues, weights = list(ISSUE_TOPICS), [w for w, _ in ISSUE_TOPICS.values()]
    queries = {kind: [] for kind in KINDS}
    for _ in range(count):
        text, issue = rng.choice(TEXT_QUERIES)
        queries["text"].append((text, {}))
        queries["facet"].append(("", {"issue": [rng.choices(issues, weights)[0]]}))
        queries["text_facets"].append((text, {"issue": [issue], "region": [rng.choice(REGION_FILTERS)]}))
    return queries


def ours_kept(query_text, filters):
    """Our backend, as the search page uses it: total, first page with snippets, every facet count,
    with whatever earlier searches kept (search/backends/rankings.py). Timed after an untimed
    search of the same words without filters (`before_kept`): a reader who typed the words, then
    ticks the facets."""
    results = DatabaseBackend().search(SearchQuery(q=query_text, filters=filters, page_size=PAGE_SIZE))
    return results.total


def before_kept(query_text):
    rankings.forget()
    ours_kept(query_text, {})


def ours(query_text, filters):
    """The same, with nothing kept from earlier searches: every search as the first of its words."""
    rankings.forget()
    return ours_kept(query_text, filters)


def stock(query_text, filters):
    """What a stock Wagtail site does: ORM filters for the facets, then Wagtail search; first page
    and count. Wagtail's search filters only on FilterFields, so a many-to-many or region-tree
    filter is an `id__in` subquery; with no text, a stock listing is a plain queryset."""
    pages = CasePage.objects.live()
    if "issue" in filters:
        through = CasePage._meta.get_field("issues").remote_field.through
        pages = pages.filter(
            id__in=through.objects.filter(issue__name__in=filters["issue"]).values("casepage_id")
        )
    if "region" in filters:
        condition = Q()
        for value in filters["region"]:
            condition |= Q(path=value) | Q(path__startswith=f"{value}/")
        regions = Region.objects.filter(condition)
        pages = pages.filter(id__in=CasePage.objects.filter(region__in=regions).values("page_ptr_id"))
    if query_text:
        results = pages.search(query_text, backend=STOCK_BACKEND)
    else:
        results = pages.order_by("-first_published_at", "-pk")
    list(results[:PAGE_SIZE])
    return results.count()


def _shown_path(path):
    """A report's path as the command line shows it: inside the project, relative to it; else its
    name alone (a machine's own folders stay out of docs/)."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path(settings.BASE_DIR).resolve()))
    except ValueError:
        return path.name


def code_version():
    """The git commit the code is at, and whether files differ from it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"git commit {commit}" + (" with uncommitted changes" if changed else "")


def percentile(values, fraction):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


class QueryTimeout(Exception):
    pass


@contextmanager
def time_limit(seconds):
    """Abort the database work inside after `seconds`: a SQLite progress handler, or PostgreSQL's
    statement_timeout. One pathological query must not stall a run for hours."""
    connection.ensure_connection()
    deadline = time.perf_counter() + seconds
    if connection.vendor == "sqlite":
        connection.connection.set_progress_handler(lambda: time.perf_counter() > deadline, 10_000)
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {int(seconds * 1000)}")
    try:
        yield
    except OperationalError as error:
        if time.perf_counter() > deadline:
            raise QueryTimeout from error
        raise
    finally:
        if connection.vendor == "sqlite":
            connection.connection.set_progress_handler(None, 0)
        elif connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("RESET statement_timeout")


def run_limited(limit, function, text, filters):
    """(seconds, total), total None when the query was stopped at the time limit."""
    start = time.perf_counter()
    try:
        with time_limit(limit):
            total = function(text, filters)
    except QueryTimeout:
        total = None
    return time.perf_counter() - start, total


def time_statement(limit, sql, params):
    """Milliseconds to execute one statement and fetch its rows; None past the time limit."""
    start = time.perf_counter()
    try:
        with time_limit(limit), connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()
    except QueryTimeout:
        return None
    return (time.perf_counter() - start) * 1000


class StatementRecorder:
    """A connection.execute_wrapper that keeps each SQL statement run inside it."""

    def __init__(self):
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, params))
        return execute(sql, params, many, context)


def summarise(runs, planned):
    """Percentiles over the queries run; a query stopped at the time limit counts as infinitely slow."""
    times = [seconds if total is not None else math.inf for seconds, total in runs]
    found = [total for _, total in runs if total is not None]
    return {
        "p50_ms": percentile(times, 0.5) * 1000 if times else math.nan,
        "p95_ms": percentile(times, 0.95) * 1000 if times else math.nan,
        "mean_hits": statistics.mean(found) if found else 0,
        "queries_with_hits": sum(1 for total in found if total),
        "queries": len(runs),
        "planned": planned,
        "timeouts": len(runs) - len(found),
    }


def format_ms(value, limit=None):
    if math.isinf(value):
        return f"> {limit * 1000:,.0f}" if limit else "timeout"
    if math.isnan(value):
        return "—"
    return f"{value:,.1f}"


def statement_label(sql):
    if "GROUP BY" in sql:
        return "facet counts"
    if "LIMIT" in sql:
        return "first page"
    if "COUNT(*)" in sql:
        return "count"
    return "other"


class Command(BaseCommand):
    help = (
        "Benchmark index build and query latency of the embedded search backend against stock "
        "Wagtail search, on synthetic Chinese case pages, in a throwaway database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--sizes", default=DEFAULT_SIZES, help=f"page counts, comma-separated ({DEFAULT_SIZES})"
        )
        parser.add_argument(
            "--queries", type=int, default=DEFAULT_QUERIES, help="timed queries per kind and size"
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="seed of the corpus and the queries"
        )
        parser.add_argument(
            "--write",
            action="store_true",
            help=f"write the report to {REPORT_PATH.relative_to(settings.BASE_DIR)}",
        )
        parser.add_argument("--output", help="write the report to this file instead")
        parser.add_argument(
            "--query-timeout", type=float, default=QUERY_TIMEOUT, help="seconds before a query is stopped"
        )
        parser.add_argument("--keep-database", action="store_true", help="keep the throwaway database")
        parser.add_argument(
            "--in-place",
            action="store_true",
            help="run on the configured database (the test suite's); refused if it holds knowledge pages",
        )

    def progress(self, message):
        elapsed = time.perf_counter() - self.started
        self.stderr.write(f"[{elapsed:7.1f} s] {message}")
        self.stderr.flush()

    def handle(self, *args, **options):
        try:
            sizes = sorted({int(s) for s in options["sizes"].split(",") if s.strip()})
        except ValueError:
            raise CommandError("--sizes takes page counts separated by commas, e.g. 1000,10000") from None
        if not sizes or sizes[0] < 1 or options["queries"] < 1:
            raise CommandError("--sizes and --queries must be positive.")
        self.started = time.perf_counter()
        self.options = options
        if options["in_place"]:
            self.check_empty()
            report = self.run(sizes, database="the configured database (--in-place)")
        else:
            with self.throwaway_database():  # its path goes to stderr, never into docs/
                report = self.run(sizes, database=f"a throwaway {connection.vendor} database")
        text = self.render(report)
        output = options["output"] or (REPORT_PATH if options["write"] else None)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.progress(f"report written to {output}")
        self.stdout.write(text)

    @contextmanager
    def throwaway_database(self):
        """A fresh, migrated database made as the test runner makes one; destroyed afterwards."""
        creation = connection.creation
        original = connection.settings_dict["NAME"]
        test_settings = connection.settings_dict.setdefault("TEST", {})
        if connection.vendor == "sqlite":
            folder = tempfile.mkdtemp(prefix="kb-search-benchmark-")
            test_settings["NAME"] = str(Path(folder) / "benchmark.sqlite3")
        else:
            test_settings["NAME"] = f"{original}_search_benchmark"
        self.progress(f"creating and migrating a throwaway database: {test_settings['NAME']}")
        name = creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            yield name
        finally:
            keep = self.options["keep_database"]
            creation.destroy_test_db(original, verbosity=0, keepdb=keep)
            if connection.vendor == "sqlite" and not keep:
                Path(name).parent.rmdir()
            self.progress(f"throwaway database {'kept: ' if keep else 'removed: '}{name}")

    def check_empty(self):
        for key in type_keys():
            if page_model(key).objects.exists():
                raise CommandError(
                    "--in-place runs only on a database without knowledge pages (the test database): "
                    f"this one has {page_model(key)._meta.verbose_name_plural}. Run without --in-place "
                    "to benchmark in a throwaway database."
                )

    # -- the run ---------------------------------------------------------------------------------

    def run(self, sizes, database):
        ensure_site_structure()
        parent = CaseIndexPage.objects.get()
        corpus = Corpus(self.options["seed"])
        stock_backend = get_search_backend(STOCK_BACKEND)
        queries = query_set(self.options["seed"], self.options["queries"])
        report = {
            "machine": self.machine(),
            "database": database,
            "stock_backend": f"{type(stock_backend).__module__}.{type(stock_backend).__name__}",
            "command": self.command_line(sizes),
            "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "sizes": [],
        }
        created = 0
        for size in sizes:
            self.progress(f"{size} pages: creating pages {created + 1}–{size}")
            while created < size:
                stop = min(size, created + CREATE_BATCH)
                create_cases(corpus, parent, created, stop)
                created = stop
                if created % (CREATE_BATCH * 10) == 0 or created == size:
                    self.progress(f"{size} pages: {created} pages created")
            entry = {"size": size}
            entry["build"] = {"ours": self.build_ours(size), "stock": self.build_stock(size, stock_backend)}
            entry["database_bytes"] = self.database_bytes()
            entry["queries"], entry["profile"], entry["by_text"] = self.time_queries(size, queries)
            # Peak resident memory so far (ru_maxrss is in KiB on Linux): this process, which
            # writes the index and runs the queries, and the largest rebuild worker.
            entry["peak_memory_mb"] = {
                "main": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "workers": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            }
            report["sizes"].append(entry)
        report["load_after"] = os.getloadavg()
        return report

    def build_ours(self, size):
        """The site's own rebuild (`rebuild_search_index`'s steps: documents built on every core,
        written in bulk in one transaction)."""
        start = time.perf_counter()

        def progress(backend, done):
            if done % 10_000 < 500:
                self.progress(f"{size} pages: our index, {done} indexed")

        done = rebuild(progress=progress)
        elapsed = time.perf_counter() - start
        self.progress(f"{size} pages: our index built in {elapsed:.1f} s ({done} pages)")
        return {"seconds": elapsed, "pages": done}

    def build_stock(self, size, backend):
        """update_index's steps for CasePage, from an index without case pages."""
        start = time.perf_counter()
        IndexEntry.objects.filter(content_type=ContentType.objects.get_for_model(CasePage)).delete()
        index = backend.get_index_for_model(CasePage)
        rebuilder = backend.rebuilder_class(index)
        index = rebuilder.start()
        index.add_model(CasePage)
        objects = CasePage.get_indexed_objects().order_by("pk")
        last, done = 0, 0
        while chunk := list(objects.filter(pk__gt=last)[:STOCK_CHUNK]):
            index.add_items(CasePage, chunk)
            last, done = chunk[-1].pk, done + len(chunk)
            if done % 10_000 == 0:
                self.progress(f"{size} pages: stock index, {done} indexed")
        rebuilder.finish()
        elapsed = time.perf_counter() - start
        self.progress(f"{size} pages: stock index built in {elapsed:.1f} s ({done} pages)")
        return {"seconds": elapsed, "pages": done}

    def time_queries(self, size, queries):
        limit = self.options["query_timeout"]
        results, profile, by_text = {}, None, {}
        for kind, items in queries.items():
            for text, filters in items[:WARM_UP_QUERIES]:
                for function in (ours, ours_kept, stock):
                    run_limited(limit, function, text, filters)
            runs = {"ours": [], "kept": [], "stock": []}  # (seconds, total or None when timed out)
            slowest = (0.0, None, None)
            for n, (text, filters) in enumerate(items, start=1):
                for side, function in (("ours", ours), ("kept", ours_kept), ("stock", stock)):
                    if sum(1 for _, total in runs[side] if total is None) >= MAX_TIMEOUTS:
                        continue  # this side is hopeless at this size: stop spending minutes on it
                    if side == "kept":
                        before_kept(text)
                    recorder = StatementRecorder()
                    with connection.execute_wrapper(recorder):
                        seconds, total = run_limited(limit, function, text, filters)
                    runs[side].append((seconds, total))
                    if kind == "text" and side != "kept":
                        by_text.setdefault(text, {"ours": [], "stock": []})[side].append((seconds, total))
                    if side == "ours" and seconds > slowest[0]:
                        slowest = (seconds, (text, filters), recorder.statements)
                if n % 10 == 0:
                    self.progress(f"{size} pages: {KINDS[kind]}, {n}/{len(items)} queries")
            results[kind] = {side: summarise(runs[side], len(items)) for side in runs}
            self.progress(
                f"{size} pages: {KINDS[kind]}: "
                + "; ".join(
                    f"{side} p50 {format_ms(results[kind][side]['p50_ms'])} ms "
                    f"p95 {format_ms(results[kind][side]['p95_ms'])} ms"
                    for side in runs
                )
            )
            if kind == "text_facets":
                profile = self.profile(*slowest)
        return results, profile, by_text

    def profile(self, elapsed, query, statements):
        """Where the slowest text+facets query of ours spends its time: each of its SQL statements
        run again on its own (execute and fetch), with SQLite's plan. Statements built on a common
        table expression are also run with it materialized (`WITH m AS MATERIALIZED`), to show
        what that change would do."""
        if query is None:
            return None
        limit = self.options["query_timeout"]
        rows = []
        for sql, params in statements:
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            row = {
                "label": statement_label(sql),
                "sql": sql,
                "plan": [],
                "variant": False,
                "materialized_ms": None,
            }
            row["ms"] = time_statement(limit, sql, params)
            cte = re.match(r"\s*WITH (\w+) AS \(", sql)
            if cte:
                row["variant"] = True
                materialized = sql.replace(cte.group(0), f"WITH {cte.group(1)} AS MATERIALIZED (", 1)
                row["materialized_ms"] = time_statement(limit, materialized, params)
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                    row["plan"] = [step[-1] for step in cursor.fetchall()]
            rows.append(row)
        return {"query": query, "ms": elapsed * 1000, "statements": rows}

    # -- context ---------------------------------------------------------------------------------

    def command_line(self, sizes):
        parts = ["python manage.py search_benchmark", f"--sizes {','.join(map(str, sizes))}"]
        if connection.vendor == "postgresql":
            parts.insert(0, "DATABASE_URL=postgres://…")  # the server, never its address or password
        parts.append(f"--queries {self.options['queries']}")
        if self.options["seed"] != DEFAULT_SEED:
            parts.append(f"--seed {self.options['seed']}")
        if self.options["in_place"]:
            parts.append("--in-place")
        if self.options["output"]:
            parts.append(f"--output {_shown_path(self.options['output'])}")
        elif self.options["write"]:
            parts.append("--write")
        return " ".join(parts)

    def machine(self):
        info = {
            "cpus": os.cpu_count(),
            "cpu": platform.processor() or platform.machine(),
            "memory": "",
            "os": platform.platform(),
            "python": platform.python_version(),
            "django": django.get_version(),
            "wagtail": wagtail.__version__,
            "database": connection.vendor,
            "database_version": "",
            "load_before": os.getloadavg(),
            "code": code_version(),
        }
        cpuinfo = Path("/proc/cpuinfo")
        if cpuinfo.exists():
            models = [
                line.split(":", 1)[1].strip()
                for line in cpuinfo.read_text().splitlines()
                if line.startswith("model name")
            ]
            if models:
                info["cpu"] = models[0]
        meminfo = Path("/proc/meminfo")
        if meminfo.exists():
            for line in meminfo.read_text().splitlines():
                if line.startswith("MemTotal:"):
                    info["memory"] = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("SELECT sqlite_version()")
                info["database_version"] = f"SQLite {cursor.fetchone()[0]}"
                pragmas = {}
                for pragma in ("journal_mode", "synchronous", "cache_size", "page_size"):
                    cursor.execute(f"PRAGMA {pragma}")
                    pragmas[pragma] = cursor.fetchone()[0]
                info["pragmas"] = pragmas
            elif connection.vendor == "postgresql":
                cursor.execute("SHOW server_version")
                info["database_version"] = f"PostgreSQL {cursor.fetchone()[0]}"
        return info

    def database_bytes(self):
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
            elif connection.vendor == "postgresql":
                cursor.execute("SELECT pg_database_size(current_database())")
            else:
                return None
            return cursor.fetchone()[0]

    # -- the report ------------------------------------------------------------------------------

    def render(self, report):
        machine = report["machine"]
        lines = [
            "# Search benchmark",
            "",
            "Index build time and query latency of this site's embedded search backend",
            "(`search.backends.database`) and, side by side in the same run on the same pages, stock",
            f"Wagtail search (`{STOCK_BACKEND}`, here `{report['stock_backend']}`).",
            "Produced by `search_benchmark` (benchmarks/management/commands/search_benchmark.py), which",
            "documents the method; figures are from one run on the machine below.",
            "",
            "```sh",
            report["command"],
            "```",
            "",
            "## Machine and run",
            "",
            f"- CPU: {machine['cpus']} × {machine['cpu']}; memory {machine['memory'] or 'unknown'}",
            f"- {machine['os']}; Python {machine['python']}; Django {machine['django']}; Wagtail {machine['wagtail']}",
            f"- Database: {machine['database_version']}, {report['database']}",
            f"- Code: {machine['code']}",
        ]
        if machine.get("pragmas"):
            pragmas = ", ".join(f"{k} = {v}" for k, v in machine["pragmas"].items())
            lines.append(f"- SQLite settings as Django opens it (unchanged): {pragmas}")
        load_before = ", ".join(f"{x:.2f}" for x in machine["load_before"])
        load_after = ", ".join(f"{x:.2f}" for x in report["load_after"])
        lines += [
            f"- Load average (1, 5, 15 min) at the start: {load_before}; at the end: {load_after}",
            f"- Started {report['started']}",
            "",
            "## Method",
            "",
            "- Corpus: synthetic case pages generated from a seed (page *i* is the same in every run),",
            "  real pages in the page tree under the case index. Title and a ~60-character summary from",
            "  templates; a body of six sections (~1,500 characters) of sentences from seeded pools built",
            "  from community-governance vocabulary (停车, 加装电梯, 养老服务, 业主委员会, 物业, 垃圾分类 …);",
            "  1–3 issues (weighted: some are far more common), 2–4 actors, 1–3 methods from the seeded",
            "  vocabularies, one of 34 real districts, a community type, a start year. Each size adds pages",
            "  to the previous one. Page creation is not timed.",
            "- Build, ours: `search.indexing.rebuild`, what `rebuild_search_index` runs: documents built",
            "  and analysed on worker processes (one per core), written in bulk in one transaction.",
            f"- Build, stock: the `update_index` command's steps for `CasePage` (rebuilder, {STOCK_CHUNK}-page",
            "  chunks of `get_indexed_objects()`), from an index without case pages.",
            f"- Queries: {self.options['queries']} per kind and size, drawn from a seed; the same list at every",
            f"  size and for both backends, alternating ours/stock per query, after {WARM_UP_QUERIES} untimed ones per kind.",
            "  Latency is wall time in the Django process, nearest-rank p50/p95. A query still running",
            f"  after {self.options['query_timeout']:g} s is stopped and counts as slower than that; after {MAX_TIMEOUTS} such stops a",
            "  backend skips the rest of that kind at that size.",
            "  - *text only*: 停车, 加装电梯, 养老 服务, 业主委员会, 信托制物业, 议事会, 居民 协商 …",
            "  - *one facet only*: issue = a weighted random issue, no text.",
            "  - *text + two facets*: a text query, its related issue, and a province or city.",
            "- Ours does all the search page needs: total, first 20 hits with highlighted snippets, and the",
            "  counts of every facet (from the facet bitmaps). *Ours* is every search as the first of its",
            "  words: nothing kept from earlier searches. *After the same words alone* is the same search",
            "  timed right after an untimed one of its words without filters (a reader who typed the words,",
            "  then ticks facets), which keeps the whole ranking of the matches (search/backends/rankings.py).",
            "- Stock does what a stock Wagtail site would: facets as ORM filters (`id__in` subqueries, since",
            "  Wagtail search filters only on `FilterField`s), `CasePage.objects.live().search(q)`, first 20",
            "  results and `.count()`; with no text, a plain queryset ordered by date. It computes **no facet",
            "  counts** (Wagtail's `.facet()` counts one `FilterField` per query, and none of these facets is",
            "  one), so its figures are a lower bound for a faceted page.",
            "- Hits: stock Wagtail's tokenizer does not split Chinese, so it misses most matches; the",
            "  tables give the mean number of results and how many queries found anything, so the",
            "  latency comparison can be read against what each side actually returns.",
            "",
            "## Results",
            "",
        ]
        for entry in report["sizes"]:
            lines += self.render_size(entry)
        lines += self.render_targets(report)
        largest = report["sizes"][-1]
        lines += self.render_by_text(largest)
        if largest.get("profile"):
            lines += self.render_profile(largest)
        return "\n".join(lines).rstrip() + "\n"

    def _ratio(self, ours_value, stock_value):
        """ours / stock; with a query stopped at the time limit, the bound that the limit gives."""
        limit_ms = self.options["query_timeout"] * 1000
        if math.isnan(ours_value) or math.isnan(stock_value) or not stock_value:
            return "—"
        if math.isinf(ours_value) and math.isinf(stock_value):
            return "—"
        if math.isinf(ours_value):
            return f"> {limit_ms / stock_value:.1f}×"
        if math.isinf(stock_value):
            return f"< {ours_value / limit_ms:.2f}×"
        return f"{ours_value / stock_value:.2f}×"

    def _ms(self, value):
        return format_ms(value, self.options["query_timeout"])

    def render_size(self, entry):
        size = entry["size"]
        build = entry["build"]
        ours_build, stock_build = build["ours"], build["stock"]
        megabytes = f"{entry['database_bytes'] / 1e6:,.0f} MB" if entry.get("database_bytes") else "unknown"
        lines = [
            f"### {size:,} pages",
            "",
            f"Database size after both builds: {megabytes}."
            + (
                f" Peak memory so far: {entry['peak_memory_mb']['main']:,.0f} MB in the benchmark's process"
                f" (index writes and queries), {entry['peak_memory_mb']['workers']:,.0f} MB in the largest"
                " rebuild worker."
                if entry.get("peak_memory_mb")
                else ""
            ),
            "",
            "| index build | ours | stock | ours / stock |",
            "| --- | ---: | ---: | ---: |",
            f"| seconds | {ours_build['seconds']:.1f} | {stock_build['seconds']:.1f} | "
            f"{self._ratio(ours_build['seconds'], stock_build['seconds'])} |",
            f"| pages per second | {ours_build['pages'] / ours_build['seconds']:,.0f} | "
            f"{stock_build['pages'] / stock_build['seconds']:,.0f} | |",
            "",
            "| query kind | ours p50 ms | ours p95 ms | stock p50 ms | stock p95 ms | p95 ours / stock "
            "| ours: mean hits (queries with hits) | stock: mean hits (queries with hits) "
            "| ours, after the same words alone: p50 ms | p95 ms |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        notes = []
        for kind, label in KINDS.items():
            o, s = entry["queries"][kind]["ours"], entry["queries"][kind]["stock"]
            lines.append(
                f"| {label} | {self._ms(o['p50_ms'])} | {self._ms(o['p95_ms'])} | {self._ms(s['p50_ms'])} | "
                f"{self._ms(s['p95_ms'])} | {self._ratio(o['p95_ms'], s['p95_ms'])} | "
                f"{o['mean_hits']:,.0f} ({o['queries_with_hits']}/{o['queries']}) | "
                f"{s['mean_hits']:,.0f} ({s['queries_with_hits']}/{s['queries']}) | "
                f"{self._kept_ms(entry, kind, 'p50_ms')} | {self._kept_ms(entry, kind, 'p95_ms')} |"
            )
            for side, result in (("ours", o), ("stock", s)):
                if result["timeouts"]:
                    notes.append(
                        f"{side}, {label}: {result['timeouts']} of {result['queries']} queries stopped at the "
                        f"{self.options['query_timeout']:g} s limit"
                        + (
                            f"; the other {result['planned'] - result['queries']} were not run"
                            if result["queries"] < result["planned"]
                            else ""
                        )
                        + " (hits are over the queries that finished)."
                    )
        if notes:
            lines += ["", *[f"- {note}" for note in notes]]
        return [*lines, ""]

    def _kept_ms(self, entry, kind, percentile_key):
        kept = entry["queries"][kind].get("kept")
        return self._ms(kept[percentile_key]) if kept else "—"

    def render_by_text(self, entry):
        """The text-only queries one by one: what each side found, and its median time."""
        if not entry.get("by_text"):
            return []
        lines = [
            f"### Text-only queries at {entry['size']:,} pages, one by one",
            "",
            "| query | runs | ours: median ms | ours: results | stock: median ms | stock: results |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]

        def cells(runs):
            if not runs:
                return "not run", "—"
            times = [seconds if total is not None else math.inf for seconds, total in runs]
            found = {total for _, total in runs if total is not None}
            return self._ms(percentile(times, 0.5) * 1000), ", ".join(f"{n:,}" for n in sorted(found)) or "—"

        for text, runs in sorted(entry["by_text"].items(), key=lambda item: -len(item[1]["ours"])):
            ours_ms, ours_found = cells(runs["ours"])
            stock_ms, stock_found = cells(runs["stock"])
            lines.append(
                f"| {text} | {len(runs['ours'])} | {ours_ms} | {ours_found} | {stock_ms} | {stock_found} |"
            )
        return [*lines, ""]

    def render_targets(self, report):
        lines = ["## Targets", ""]
        at_target = [e for e in report["sizes"] if e["size"] == TARGET_SIZE]
        if report["machine"]["database"] != "sqlite" or not at_target:
            return [
                *lines,
                f"The targets are for SQLite at {TARGET_SIZE:,} pages; this run did not measure that.",
                "",
            ]
        entry = at_target[0]
        build = entry["build"]["ours"]["seconds"]
        stock_build = entry["build"]["stock"]["seconds"]

        def verdict(met):
            return "**met**" if met else "**not met**"

        lines += [
            "| target (SQLite, 100,000 pages) | measured | stock, same run | ours / stock | verdict |",
            "| --- | ---: | ---: | ---: | --- |",
        ]
        for kind, target in TARGET_P95_MS.items():
            p95 = entry["queries"][kind]["ours"]["p95_ms"]
            stock_p95 = entry["queries"][kind]["stock"]["p95_ms"]
            lines.append(
                f"| {KINDS[kind]} p95 ≤ {target:.0f} ms | {self._ms(p95)} ms | {self._ms(stock_p95)} ms | "
                f"{self._ratio(p95, stock_p95)} | {verdict(p95 <= target)} |"
            )
        lines += [
            f"| index build < {TARGET_BUILD_S / 60:.0f} min | {build:.1f} s | {stock_build:.1f} s | "
            f"{self._ratio(build, stock_build)} | {verdict(build < TARGET_BUILD_S)} |",
            "",
        ]
        return lines

    def render_profile(self, entry):
        profile = entry["profile"]
        text, filters = profile["query"]
        shown = json.dumps(filters, ensure_ascii=False)
        variants = any(statement.get("variant") for statement in profile["statements"])
        lines = [
            f"## Where the time goes: slowest text + two facets query at {entry['size']:,} pages",
            "",
            f"`q={text}`, filters `{shown}`: {self._ms(profile['ms'])} ms in all. Each SQL statement it",
            "ran, run again on its own (execute and fetch all rows)"
            + (
                "; the last column runs the same statement with its common table expression"
                " materialized (`WITH m AS MATERIALIZED (…)`)."
                if variants
                else "."
            ),
            "",
            "| statement | ms | ms, CTE materialized |" if variants else "| statement | ms |",
            "| --- | ---: | ---: |" if variants else "| --- | ---: |",
        ]

        def ms(value):
            return self._ms(value if value is not None else math.inf)

        for statement in profile["statements"]:
            cells = [statement["label"], ms(statement["ms"])]
            if variants:
                cells.append(ms(statement["materialized_ms"]) if statement.get("variant") else "—")
            lines.append(f"| {' | '.join(cells)} |")
        plans = [s for s in profile["statements"] if s["plan"]]
        if plans:
            lines += ["", "SQLite's query plans (`EXPLAIN QUERY PLAN`), as the statements are now:", ""]
            for statement in plans:
                lines += [f"- {statement['label']}:", "", "  ```"]
                lines += [f"  {step}" for step in statement["plan"]]
                lines += ["  ```"]
        return [*lines, ""]
