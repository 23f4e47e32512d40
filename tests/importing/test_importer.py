"""The Markdown importer: every error path, all-or-nothing writes, idempotency, sanitising."""

import pytest
from django.core.management import CommandError, call_command

from kb.cases.models import CasePage
from kb.courses.models import CoursePage
from kb.importing.problems import ImportFailed
from kb.importing.reading import collect_files
from kb.importing.writing import import_files
from kb.policies.models import PolicyPage
from kb.principles.models import PrinciplePage
from kb.vocabularies.models import Issue, Region

CASE = {
    "type": "case",
    "title": "铲屎官小队",
    "slug": "poop-squad",
    "summary": "从宠物选美到文明养宠。",
    "region": "四川省/成都市",
    "community_type": "商品房小区",
    "issues": ["宠物管理", "环境卫生"],
    "actors": ["社会组织", "居民自组织"],
    "methods": ["志愿服务"],
    "year_start": 2019,
    "source": {"title": "种子文本", "date": "2021-07-29"},
}
CASE_BODY = """\
开头的介绍。

## 背景与问题
小区里宠物粪便很多。

## 过程与方法
### 第一步
举办**小动物选美比赛**。

## 一个自定义栏目
其他内容。
"""


def run(paths, **options):
    return import_files(collect_files(paths), **options)


def problems_of(excinfo):
    return [(p.file.rsplit("/", 1)[-1], p.field, p.message) for p in excinfo.value.problems]


@pytest.fixture
def principle_file(write_md):
    return write_md(
        "resident-led.md",
        {"type": "principle", "title": "居民主体原则", "slug": "resident-led", "group": "六原则", "order": 1},
        "居民是社区的主人。",
    )


def test_case_is_imported_as_draft_with_all_fields(home, write_md):
    path = write_md("case.md", CASE, CASE_BODY)
    result = run([path])
    page = CasePage.objects.get(slug="poop-squad")
    assert result.counts() == {"case": {"create": 1, "update": 0}}
    assert not page.live
    draft = page.get_latest_revision_as_object()
    assert draft.title == "铲屎官小队"
    assert draft.region.path == "四川省/成都市"
    assert draft.community_type.name == "商品房小区"
    assert {i.name for i in draft.issues.all()} == {"环境卫生", "宠物管理"}
    assert draft.year_start == 2019
    assert draft.source_date == "2021-07-29"
    kinds = [(b.value["kind"], b.value["heading"]) for b in draft.body]
    assert kinds == [("other", ""), ("background", ""), ("process", ""), ("other", "一个自定义栏目")]
    assert "<h3>第一步</h3>" in draft.body[2].value["content"].source
    assert "<strong>小动物选美比赛</strong>" in draft.body[2].value["content"].source


def test_publish_makes_pages_live_and_links_resolve_within_the_run(home, write_md, principle_file):
    case = dict(CASE, principles=["resident-led"])
    write_md("case.md", case, CASE_BODY)
    run([principle_file.parent], publish=True)
    page = CasePage.objects.get(slug="poop-squad")
    principle = PrinciplePage.objects.get(slug="resident-led")
    assert page.live and principle.live
    assert list(page.principles.all()) == [principle]
    assert list(principle.linked_cases) == [page]


def test_reimport_updates_by_slug_and_never_duplicates(home, write_md, principle_file):
    path = write_md("case.md", CASE, CASE_BODY)
    run([path.parent], publish=True)
    revisions = CasePage.objects.get(slug="poop-squad").revisions.count()
    write_md("case.md", dict(CASE, summary="改过的摘要。"), CASE_BODY)
    result = run([path.parent], publish=True)
    assert result.counts()["case"] == {"create": 0, "update": 1}
    assert CasePage.objects.filter(slug="poop-squad").count() == 1
    assert PrinciplePage.objects.count() == 1
    page = CasePage.objects.get(slug="poop-squad")
    assert page.summary == "改过的摘要。"
    assert page.revisions.count() == revisions + 1


def test_draft_reimport_of_a_live_page_leaves_the_live_version_alone(home, write_md):
    path = write_md("case.md", CASE, CASE_BODY)
    run([path], publish=True)
    write_md("case.md", dict(CASE, summary="草稿摘要。"), CASE_BODY)
    run([path])
    page = CasePage.objects.get(slug="poop-squad")
    assert page.live and page.has_unpublished_changes
    assert page.summary == "从宠物选美到文明养宠。"
    assert page.get_latest_revision_as_object().summary == "草稿摘要。"


def test_one_bad_file_means_nothing_is_written(home, write_md, principle_file):
    write_md("case.md", CASE, CASE_BODY)
    write_md("bad.md", dict(CASE, slug="bad", title="坏文件", issues=["停车"]))
    before = (Region.objects.count(), Issue.objects.count())
    with pytest.raises(ImportFailed) as excinfo:
        run([principle_file.parent], publish=True)
    assert problems_of(excinfo) == [
        ("bad.md", "issues", excinfo.value.problems[0].message),
    ]
    assert "未知的议题“停车”" in excinfo.value.problems[0].message
    assert "停车难" in excinfo.value.problems[0].message  # the nearest known value
    assert not CasePage.objects.exists() and not PrinciplePage.objects.exists()
    assert (Region.objects.count(), Issue.objects.count()) == before


def test_a_failure_while_writing_rolls_back_earlier_pages(home, write_md, monkeypatch):
    from kb.importing import problems, writing

    write_md("a.md", dict(CASE, slug="a", title="甲"))
    folder = write_md("b.md", dict(CASE, slug="b", title="乙")).parent
    original = writing.PageWriter.fill_relations
    calls = []

    def fail_on_second(self, plan, page):
        calls.append(plan.slug)
        if len(calls) == 2:
            raise problems.ImportFailed([problems.Problem(plan.file, "", "写入失败")])
        return original(self, plan, page)

    monkeypatch.setattr(writing.PageWriter, "fill_relations", fail_on_second)
    with pytest.raises(ImportFailed):
        run([folder], publish=True)
    assert not CasePage.objects.exists()


def test_create_terms_adds_unknown_vocabulary_values(home, write_md):
    path = write_md("case.md", dict(CASE, issues=["广场舞"]))
    result = run([path], create_terms=True)
    assert result.new_terms == [("issue", "广场舞")]
    assert Issue.objects.filter(name="广场舞").exists()


def test_dry_run_validates_everything_and_writes_nothing(home, write_md):
    path = write_md("case.md", dict(CASE, region="上海市/浦东新区", issues=["广场舞"]))
    result = run([path], dry_run=True, create_terms=True, publish=True)
    assert result.dry_run and result.counts() == {"case": {"create": 1, "update": 0}}
    assert result.new_regions == ["上海市/浦东新区"]
    assert not CasePage.objects.exists()
    assert not Issue.objects.filter(name="广场舞").exists()
    assert not Region.objects.filter(path__startswith="上海市").exists()


@pytest.mark.parametrize(
    ("meta", "field", "message"),
    [
        ({"title": "无类型"}, "type", "必填"),
        ({"type": "story", "title": "x"}, "type", "未知的类型“story”"),
        ({"type": "case"}, "title", "必填"),
        ({"type": "case", "title": "x", "isues": ["停车难"]}, "isues", "是否是“issues”"),
        ({"type": "case", "title": "x", "doc_number": "1"}, "doc_number", "不认识的键"),
        ({"type": "case", "title": "x", "summary": "长" * 301}, "summary", "过长"),
        ({"type": "case", "title": "x", "slug": "有 空格"}, "slug", "不是合法的 slug"),
        ({"type": "case", "title": "x", "year_start": "去年"}, "year_start", "应为整数"),
        ({"type": "case", "title": "x", "year_start": 1800}, "year_start", "应在 1949 到 2100 之间"),
        ({"type": "case", "title": "x", "year_start": 2010, "year_end": 2008}, "year_end", "早于"),
        ({"type": "case", "title": "x", "region": "四川/成都市"}, "region", "四川省"),
        ({"type": "case", "title": "x", "region": "四川省//武侯区"}, "region", "空的层级"),
        ({"type": "case", "title": "x", "community_type": "小区"}, "community_type", "未知的社区类型"),
        ({"type": "case", "title": "x", "actors": ["业主委员会"]}, "actors", "业委会"),
        ({"type": "case", "title": "x", "issues": {"a": 1}}, "issues", "应为文本列表"),
        ({"type": "case", "title": "x", "source": "网上"}, "source", "应为映射"),
        ({"type": "case", "title": "x", "source": {"url": "javascript:alert(1)"}}, "source.url", "不是有效"),
        ({"type": "case", "title": "x", "source": {"date": "2021-13-01"}}, "source.date", "格式不对"),
        ({"type": "case", "title": "x", "source": {"date": "2021-02-30"}}, "source.date", "不存在"),
        ({"type": "case", "title": "x", "source": {"publisher": "y"}}, "source.publisher", "不认识的键"),
        ({"type": "policy", "title": "x", "level": "国家级"}, "level", "未知的政策层级"),
        ({"type": "policy", "title": "x", "validity": "有效"}, "validity", "现行有效"),
        ({"type": "policy", "title": "x", "issued_on": "2006年"}, "issued_on", "格式不对"),
        ({"type": "principle", "title": "x", "order": -1}, "order", "应在 0 到 1000 之间"),
        ({"type": "course", "title": "x", "audience": ["学生"]}, "audience", "未知的培训对象"),
        ({"type": "course", "title": "x", "modules": "第一课"}, "modules", "应为单元列表"),
        ({"type": "course", "title": "x", "modules": [{"minutes": 30}]}, "modules[1].title", "必填"),
        ({"type": "course", "title": "x", "modules": [{"title": "a"}]}, "modules[1].minutes", "必填"),
        (
            {"type": "course", "title": "x", "modules": [{"title": "a", "minutes": 30, "tools": 1}]},
            "modules[1].tools",
            "不认识的键",
        ),
        (
            {"type": "course", "title": "x", "modules": [{"title": "a", "minutes": 30, "method": "讲座"}]},
            "modules[1].method",
            "未知的方法与机制",
        ),
        (
            {"type": "course", "title": "x", "duration_hours": 2, "modules": [{"title": "a", "minutes": 90}]},
            "duration_hours",
            "各单元合计 90 分钟",
        ),
    ],
)
def test_every_bad_field_is_named_with_its_problem(home, write_md, meta, field, message):
    path = write_md("bad.md", meta)
    with pytest.raises(ImportFailed) as excinfo:
        run([path])
    found = [(p.field, p.message) for p in excinfo.value.problems]
    assert any(f == field and message in m for f, m in found), found
    assert all(p.file.endswith("bad.md") for p in excinfo.value.problems)
    assert not CasePage.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title: 没有开头\n", "必须以“---”开头"),
        ("---\ntype: case\ntitle: 没有结尾\n", "缺少结尾"),
        ("---\ntype: case\ntitle: [未闭合\n---\n", "YAML 头信息格式错误"),
        ("---\n- 一个列表\n---\n", "必须是“键: 值”的映射"),
    ],
)
def test_malformed_files_are_rejected(home, write_md, text, message):
    path = write_md("broken.md", text)
    with pytest.raises(ImportFailed) as excinfo:
        run([path])
    assert message in str(excinfo.value)


def test_non_utf8_file_is_rejected(home, tmp_path):
    path = tmp_path / "gbk.md"
    path.write_bytes("---\ntype: case\ntitle: 编码\n---\n".encode("gbk"))
    with pytest.raises(ImportFailed, match="UTF-8"):
        run([path])


def test_missing_path_and_empty_folder_are_errors(home, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ImportFailed) as excinfo:
        run([tmp_path / "missing.md", tmp_path / "empty"])
    assert [p.message for p in excinfo.value.problems] == ["文件或文件夹不存在。", "文件夹中没有 .md 文件。"]


def test_unresolved_reference_names_file_field_and_nearest_pages(home, write_md, principle_file):
    write_md("case.md", dict(CASE, principles=["resident-lead"]))
    with pytest.raises(ImportFailed) as excinfo:
        run([principle_file.parent])
    [problem] = excinfo.value.problems
    assert problem.file.endswith("case.md") and problem.field == "principles"
    assert "找不到原则“resident-lead”" in problem.message and "resident-led" in problem.message


def test_references_resolve_by_title_and_against_pages_already_in_the_site(home, write_md, principle_file):
    run([principle_file], publish=True)
    path = write_md("case.md", dict(CASE, principles=["居民主体原则"]), folder="later")
    run([path], publish=True)
    page = CasePage.objects.get(slug="poop-squad")
    assert [p.slug for p in page.principles.all()] == ["resident-led"]


def test_self_reference_and_duplicate_slugs_are_errors(home, write_md):
    write_md("a.md", dict(CASE, cases=["poop-squad"]))
    folder = write_md("b.md", dict(CASE, title="另一个标题")).parent
    with pytest.raises(ImportFailed) as excinfo:
        run([folder])
    messages = [(p.field, p.message) for p in excinfo.value.problems]
    assert any(f == "slug" and "相同" in m for f, m in messages)
    assert any(f == "cases" and "引用它自己" in m for f, m in messages)


def test_a_title_already_used_by_another_page_is_an_error(home, write_md):
    run([write_md("a.md", CASE)])
    path = write_md("b.md", dict(CASE, slug="other-slug"), folder="second")
    with pytest.raises(ImportFailed, match="已有同名案例"):
        run([path])


def test_missing_slug_is_derived_from_the_title(home, write_md):
    meta = {key: value for key, value in CASE.items() if key != "slug"}
    run([write_md("case.md", meta)])
    assert CasePage.objects.get().slug == "铲屎官小队"


def test_policy_with_issuers_dates_and_supersession(home, write_md):
    write_md(
        "old.md",
        {"type": "policy", "title": "旧办法", "slug": "old", "issued_on": 2008, "validity": "已废止"},
    )
    write_md(
        "new.md",
        {
            "type": "policy",
            "title": "新条例",
            "slug": "new",
            "issuer": ["成都市人民代表大会常务委员会"],
            "level": "市级",
            "region": "四川省/成都市",
            "issued_on": "2018-06",
            "validity": "现行有效",
            "supersedes": ["旧办法"],
        },
    )
    run([write_md("x.md", {"type": "principle", "title": "原则"}).parent], publish=True)
    new, old = PolicyPage.objects.get(slug="new"), PolicyPage.objects.get(slug="old")
    assert new.issuer_names == ["成都市人民代表大会常务委员会"]
    assert (new.issued_on, new.issued_on_display, old.issued_on) == ("2018-06", "2018年6月", "2008")
    assert list(old.live_superseded_by) == [new]
    assert new.level.name == "市级" and new.validity.name == "现行有效"


def test_course_modules_keep_order_links_and_computed_duration(home, write_md, principle_file):
    write_md(
        "course.md",
        {
            "type": "course",
            "title": "微讲坛",
            "audience": ["居委会工作人员", "社区骨干"],
            "duration_hours": 1.5,
            "objectives": ["会开议事会"],
            "modules": [
                {"title": "议事规则", "minutes": 60, "method": "居民议事会", "principles": ["resident-led"]},
                {"title": "练习", "minutes": 30, "objectives": ["模拟一次议事"], "activity": "分组演练"},
            ],
        },
    )
    run([principle_file.parent], publish=True)
    course = CoursePage.objects.get()
    modules = list(course.modules.all())
    assert [m.title for m in modules] == ["议事规则", "练习"]
    assert course.total_minutes == 90 and course.duration_display == "1小时30分钟"
    assert modules[0].method.name == "居民议事会"
    assert [p.slug for p in modules[0].principles.all()] == ["resident-led"]
    assert modules[1].objective_list == ["模拟一次议事"]
    principle = PrinciplePage.objects.get(slug="resident-led")
    assert list(principle.linked_courses) == [course]


XSS_BODY = """\
## 背景与问题
<script>alert('x')</script>
<img src=x onerror="alert(1)">
[点我](javascript:alert(1)) <a href="https://example.org" onclick="steal()">正常链接</a>
<iframe src="https://evil.example"></iframe><style>body{display:none}</style>
<svg onload=alert(1)></svg><div onmouseover="x()">文字</div>
"""


def test_markdown_body_is_sanitised(home, write_md):
    run([write_md("case.md", CASE, XSS_BODY)], publish=True)
    html = CasePage.objects.get().body[0].value["content"].source.lower()
    for needle in (
        "<script",
        "alert(",
        "onerror",
        "onclick",
        "javascript:",
        "<iframe",
        "<style",
        "<svg",
        "onmouseover",
        "<img",
    ):
        assert needle not in html, needle
    assert '<a href="https://example.org">正常链接</a>' in html
    assert "文字" in html


def test_command_prints_every_problem_and_fails(home, write_md, capsys):
    path = write_md("bad.md", {"type": "case", "title": "x", "issues": ["停车"], "year_start": "去年"})
    with pytest.raises(CommandError, match="未写入任何内容"):
        call_command("import_content", str(path))
    err = capsys.readouterr().err
    assert "bad.md: issues: 未知的议题“停车”" in err and "bad.md: year_start:" in err


def test_command_reports_counts(home, write_md, capsys):
    call_command("import_content", str(write_md("case.md", CASE)), "--publish")
    assert "案例 新建 1 更新 0" in capsys.readouterr().out
