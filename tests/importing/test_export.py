"""export_content: a portable backup in the import format that import_content restores losslessly."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb.cases.models import CasePage
from kb.core.page_types import page_types
from kb.courses.models import CoursePage
from kb.importing.exporting import export_pages, html_to_markdown
from kb.importing.problems import ImportFailed
from kb.importing.reading import collect_files
from kb.importing.writing import import_files
from kb.policies.models import PolicyPage
from kb.vocabularies.models import Issue, Region
from tests.factories import CasePageFactory, publish

FILES = {
    "case.md": (
        {
            "type": "case",
            "title": "铲屎官小队",
            "slug": "poop-squad",
            "summary": "从宠物选美到文明养宠。",
            "region": "四川省/成都市",
            "community_type": "商品房小区",
            "issues": ["宠物管理", "自定义议题"],
            "actors": ["社会组织"],
            "methods": ["志愿服务"],
            "year_start": 2019,
            "year_end": 2021,
            "scale": "约300户",
            "contributor_credit": "某社工机构",
            "source": {
                "title": "一次线上分享",
                "author": "张海波",
                "date": "2021-07-29",
                "url": "https://example.org/a",
            },
            "principles": ["resident-led"],
            "policies": ["new-rules"],
        },
        "开头的介绍。\n\n## 背景与问题\n\n小区里宠物粪便很多。\n\n## 过程与方法\n\n### 第一步\n\n"
        "举办**小动物选美比赛**，见[说明](https://example.org/b)。\n\n- 甲\n- 乙\n\n1. 一\n2. 二\n\n"
        "> 引用一句话。\n\n水的化学式是 H<sub>2</sub>O，面积 10 m<sup>2</sup>。\n\n## 一个自定义栏目\n\n其他内容。\n",
    ),
    "old.md": (
        {"type": "policy", "title": "旧办法", "slug": "old-rules", "level": "市级", "issued_on": "2015"},
        "旧的规定。\n",
    ),
    "new.md": (
        {
            "type": "policy",
            "title": "新办法",
            "slug": "new-rules",
            "issuer": ["成都市民政局", "成都市财政局"],
            "doc_number": "成民发〔2020〕1号",
            "level": "市级",
            "region": "四川省/成都市",
            "issued_on": "2020-03",
            "effective_on": "2020-04-01",
            "supersedes": ["old-rules"],
            "issues": ["社区文化"],
        },
        "## 第一条\n\n总则。\n\n## 第二条\n\n细则。\n",
    ),
    "principle.md": (
        {"type": "principle", "title": "居民主体原则", "slug": "resident-led", "group": "六原则", "order": 2},
        "居民是社区的主人。\n",
    ),
    "course.md": (
        {
            "type": "course",
            "title": "两天培训",
            "slug": "two-days",
            "audience": ["社工"],
            "objectives": ["学会协商", "学会组织"],
            "prerequisites": "无",
            "timetable": {"day_start": "08:30", "lunch_minutes": 90, "days": 2},
            "modules": [
                {
                    "title": "开场",
                    "minutes": 90,
                    "exercise_minutes": 30,
                    "questions": ["为什么要参与？"],
                    "objectives": ["认识彼此"],
                    "key_points": ["居民是主体"],
                    "activity": "分组讨论",
                    "instructor_notes": "只给讲师看",
                    "method": "民主协商",
                    "cases": ["poop-squad"],
                    "principles": ["resident-led"],
                },
                {"title": "总结", "minutes": 60},
            ],
        },
        "## 课程介绍\n\n一门课。\n",
    ),
    "draft.md": (
        {"type": "case", "title": "尚未发布的案例", "slug": "not-yet", "status": "draft"},
        "草稿。\n",
    ),
}


@pytest.fixture
def site(home, write_md):
    for name, (meta, body) in FILES.items():
        folder = write_md(name, meta, body).parent
    (folder / "vocabularies.yaml").write_text(
        "issue:\n- name: 自定义议题\n  description: 编辑新增的议题\n  sort_order: 99\n- 未使用的议题\n"
        "region:\n- 江苏省/南通市/崇川区\n",
        encoding="utf-8",
    )
    import_files(collect_files([folder]), publish=True)
    return folder


def tree_files(directory):
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def snapshot():
    """What a reader and an editor see of every page: fields, relations by slug, rendered body."""
    pages = {}
    for page_type in page_types():
        for page in page_type.model.objects.order_by("slug"):
            page = page.get_latest_revision_as_object()
            data = {"live": page.live, "title": page.title, "summary": page.summary}
            for field in page._meta.get_fields():
                if field.many_to_many and hasattr(page, field.name):
                    data[field.name] = sorted(
                        str(getattr(target, "slug", target)) for target in getattr(page, field.name).all()
                    )
                elif (
                    field.concrete
                    and field.many_to_one
                    and field.name
                    not in (
                        "owner",
                        "locked_by",
                        "latest_revision",
                        "live_revision",
                        "content_type",
                        "locale",
                        "alias_of",
                        "page_ptr",
                    )
                ):
                    data[field.name] = str(getattr(page, field.name))
            for name in (
                "year_start",
                "year_end",
                "scale",
                "contributor_credit",
                "doc_number",
                "issued_on",
                "effective_on",
                "group",
                "order",
                "objectives",
                "prerequisites",
                "day_start",
                "lunch_minutes",
                "planned_days",
                "source_title",
                "source_author",
                "source_url",
                "source_date",
            ):
                if hasattr(page, name):
                    data[name] = str(getattr(page, name))
            if hasattr(page, "issuers"):
                data["issuers"] = [issuer.name for issuer in page.issuers.all()]
            if hasattr(page, "modules"):
                data["modules"] = [
                    (m.title, m.minutes, m.exercise_minutes, m.questions, m.key_points, m.instructor_notes, str(m.method),
                     sorted(c.slug for c in m.cases.all()))
                    for m in page.modules.all()
                ]  # fmt: skip
            data["body"] = str(page.body)
            pages[f"{page_type.key}/{page.slug}"] = data
    terms = {(term.name, term.description, term.sort_order) for term in Issue.objects.all()}
    return pages, terms, set(Region.objects.values_list("path", flat=True))


def empty_the_site():
    for page_type in page_types():
        for page in page_type.model.objects.all():
            page.delete()
    Issue.objects.filter(name__in=["自定义议题", "未使用的议题"]).delete()
    for region in Region.objects.filter(path__startswith="江苏省/").order_by("-depth"):
        region.delete()


def test_export_import_export_gives_the_same_files_and_the_same_site(site, tmp_path):
    before = snapshot()
    export_pages(tmp_path / "first")
    empty_the_site()
    assert not CasePage.objects.exists()

    import_files(collect_files([tmp_path / "first"]), publish=True)
    assert snapshot() == before
    export_pages(tmp_path / "second")
    first, second = tree_files(tmp_path / "first"), tree_files(tmp_path / "second")
    assert first == second
    assert set(first) >= {
        "cases/poop-squad.md",
        "policies/new-rules.md",
        "courses/two-days.md",
        "vocabularies.yaml",
    }


def test_export_notes_publication_state_and_validity(site, tmp_path):
    export_pages(tmp_path / "out")
    draft = (tmp_path / "out/cases/not-yet.md").read_text(encoding="utf-8")
    assert "status: draft" in draft
    assert "status:" not in (tmp_path / "out/cases/poop-squad.md").read_text(encoding="utf-8")
    old = (tmp_path / "out/policies/old-rules.md").read_text(encoding="utf-8")
    assert "validity: 已废止" in old  # what the lifecycle stored when new-rules superseded it
    vocabularies = (tmp_path / "out/vocabularies.yaml").read_text(encoding="utf-8")
    assert "description: 编辑新增的议题" in vocabularies and "未使用的议题" in vocabularies
    assert "江苏省/南通市/崇川区" in vocabularies


def test_a_draft_file_stays_a_draft_in_a_published_run(site):
    assert not CasePage.objects.get(slug="not-yet").live
    assert CasePage.objects.get(slug="poop-squad").live


def test_an_unknown_status_is_refused_in_chinese(home, write_md):
    path = write_md("a.md", {"type": "case", "title": "甲", "status": "公开"})
    with pytest.raises(ImportFailed) as excinfo:
        import_files(collect_files([path]), publish=True)
    assert any(p.field == "status" and "published 或 draft" in p.message for p in excinfo.value.problems)


@pytest.mark.parametrize(
    "text, field, words",
    [
        ("议题:\n- 甲\n", "议题", "不认识的词表"),
        ("issue: 甲\n", "issue", "应为列表"),
        ("issue:\n- name: 甲\n  sort_order: -1\n", "issue[1].sort_order", "整数"),
        ("issue:\n- name: 甲\n  colour: red\n", "issue[1].colour", "不认识的键"),
        ("issue:\n- 甲\n- 甲\n", "issue[2].name", "重复"),
        ("region:\n- 火星/某市\n", "region[1]", "省"),
        ("issue: &a [甲]\nactor: *a\n", "", "锚点"),
    ],
)
def test_a_bad_vocabulary_file_is_refused_and_nothing_is_written(home, write_md, text, field, words):
    folder = write_md("a.md", {"type": "case", "title": "甲案例", "slug": "jia"}).parent
    (folder / "vocabularies.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ImportFailed) as excinfo:
        import_files(collect_files([folder]), publish=True)
    assert any(p.field == field and words in p.message for p in excinfo.value.problems), (
        excinfo.value.problems
    )
    assert not CasePage.objects.exists()
    assert not Issue.objects.filter(name="甲").exists()


def test_the_vocabulary_file_makes_its_terms_known_without_create_terms(home, write_md):
    folder = write_md("a.md", {"type": "case", "title": "甲案例", "issues": ["新议题"]}).parent
    with pytest.raises(ImportFailed):
        import_files(collect_files([folder]))
    (folder / "vocabularies.yaml").write_text("issue:\n- 新议题\n", encoding="utf-8")
    result = import_files(collect_files([folder]))
    assert ("issue", "新议题") in result.new_terms
    assert list(
        CasePage.objects.get().get_latest_revision_as_object().issues.values_list("name", flat=True)
    ) == ["新议题"]


def test_rich_text_from_the_admin_becomes_markdown_with_links_resolved(home, indexes, tmp_path):
    target = publish(CasePageFactory(parent=indexes["case"], slug="target"))
    html = (
        f'<p>见 <a linktype="page" id="{target.pk}">另一个案例</a>，<b>加粗</b>与<i>斜体</i>。</p>'
        '<p>外链 <a href="https://example.org/">这里</a>。</p><h3>小标题</h3><ul><li>一</li><li>二</li></ul>'
    )
    page = CasePageFactory(
        parent=indexes["case"],
        slug="source",
        body=[("section", {"kind": "background", "heading": "", "content": html})],
    )
    publish(page)
    export_pages(tmp_path / "out")
    text = (tmp_path / "out/cases/source.md").read_text(encoding="utf-8")
    assert "## 背景与问题" in text
    assert f"[另一个案例]({target.url})" in text
    assert "**加粗**与*斜体*" in text
    assert "### 小标题" in text and "- 一" in text
    assert html_to_markdown("<p>H<sub>2</sub>O</p>") == "H<sub>2</sub>O"


def test_what_the_format_cannot_carry_is_reported(home, indexes, tmp_path):
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    image = Image.objects.create(title="图", file=get_test_image_file())
    page = CasePageFactory(parent=indexes["case"], slug="with-image", cover_image=image)
    publish(page)
    errors = io.StringIO()
    call_command("export_content", str(tmp_path / "out"), stdout=io.StringIO(), stderr=errors)
    assert "cases/with-image.md" in errors.getvalue() and "封面图" in errors.getvalue()


def test_export_refuses_a_folder_that_is_not_empty(home, tmp_path):
    (tmp_path / "old.md").write_text("x", encoding="utf-8")
    with pytest.raises(CommandError, match="not an empty folder"):
        call_command("export_content", str(tmp_path))


def test_export_reads_pages_in_batches_not_one_by_one(home, indexes, tmp_path):
    def queries_for(count, name):
        for n in range(count):
            publish(CasePageFactory(parent=indexes["case"], slug=f"{name}-{n}"))
        with CaptureQueriesContext(connection) as queries:
            export_pages(tmp_path / name)
        for page in CasePage.objects.all():
            page.delete()
        return len(queries)

    assert queries_for(2, "few") == queries_for(12, "many")


def test_course_and_policy_keys_come_back_as_the_importer_reads_them(site, tmp_path):
    export_pages(tmp_path / "out")
    course = (tmp_path / "out/courses/two-days.md").read_text(encoding="utf-8")
    assert "day_start: 08:30" in course or "day_start: '08:30'" in course
    assert "instructor_notes: 只给讲师看" in course
    policy = (tmp_path / "out/policies/new-rules.md").read_text(encoding="utf-8")
    assert "issuer:\n- 成都市民政局\n- 成都市财政局" in policy
    assert CoursePage.objects.get().planned_days == 2
    assert PolicyPage.objects.get(slug="new-rules").doc_number == "成民发〔2020〕1号"
