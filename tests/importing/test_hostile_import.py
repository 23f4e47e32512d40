"""Hostile import files: each is refused with `file: field: problem`, nothing written, no traceback."""

import pytest

from kb.cases.importing import CaseRules
from kb.cases.models import CasePage
from kb.core.markdown import MarkdownRefused, check_markdown, markdown_to_html
from kb.importing.problems import INTERNAL_ERROR, ImportFailed
from kb.importing.reading import collect_files
from kb.importing.writing import import_files
from kb.policies.models import PolicyPage
from tests.factories import PolicyPageFactory, publish

POLICY = {
    "type": "policy",
    "title": "甲政策",
    "slug": "policy-a",
    "level": "市级",
    "issued_on": "2020-05-01",
}


def refused(path):
    with pytest.raises(ImportFailed) as excinfo:
        import_files(collect_files([path]))
    return [(p.field, p.message) for p in excinfo.value.problems]


def front(text, body="正文。"):
    return f"---\n{text}\n---\n{body}\n"


# --------------------------------------------------------------------------- YAML


BILLION_LAUGHS = "\n".join(
    ["type: case", "title: 炸弹", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]"
        for i in range(9)
    ]
    + ["slug: *j"]
)


@pytest.mark.parametrize(
    "text, expected",
    [
        (BILLION_LAUGHS, "不允许使用 YAML 锚点"),
        ("type: case\ntitle: x\nslug: *nothing", "不允许使用 YAML 别名"),
        ("type: case\ntitle: !!python/object:os.system x", "不允许使用 YAML 标签"),
        ("type: case\ntitle: !!str x", "不允许使用 YAML 标签"),
        ("type: case\ntitle: x\ntitle: y", "重复出现"),
        ("type: case\ntitle: x\n1: y", "应为文本"),
        ("type: case\ntitle: x\nslug: " + "[" * 50 + "]" * 50, "嵌套超过"),
        ("type: policy\ntitle: x\nissued_on: 2020-13-45", "无法读取的值"),
        ("type: case\ntitle: x\nyear_start: " + "9" * 5000, "无法读取的值"),
        ("type: case\ntitle: x\nsummary: " + "长" * 30_000, "超过上限"),
    ],
)
def test_hostile_yaml_is_refused_before_it_is_expanded(home, write_md, text, expected):
    problems = refused(write_md("bad.md", front(text)))
    assert len(problems) == 1 and expected in problems[0][1], problems
    assert "bad.md" not in problems[0][1]  # the file is named by the problem, not in its message


# --------------------------------------------------------------------------- types


@pytest.mark.parametrize(
    "meta, field, expected",
    [
        ({"type": ["case", "policy"], "title": "x"}, "type", "而不是列表"),
        ({"type": {"a": 1}, "title": "x"}, "type", "而不是映射"),
        ({"type": "case", "title": {"a": 1}}, "title", "应为文本，而不是映射"),
        ({"type": "case", "title": 2019}, "title", "请加引号"),
        ({"type": "case", "title": "x", "slug": ["a"]}, "slug", "应为文本"),
        ({"type": "case", "title": "x", "summary": True}, "summary", "true/false"),
        ({"type": "case", "title": "x", "issues": {"a": 1}}, "issues", "而不是映射"),
        ({"type": "case", "title": "x", "issues": [{"a": 1}]}, "issues", "其中有映射"),
        ({"type": "case", "title": "x", "year_start": [2019]}, "year_start", "应为整数"),
        ({"type": "case", "title": "x", "region": ["四川省"]}, "region", "应为文本"),
        ({"type": "case", "title": "x", "source": {"title": ["a"]}}, "source.title", "应为文本"),
        ({"type": "case", "title": "x", "source": {"url": {"a": 1}}}, "source.url", "应为文本"),
        ({"type": "case", "title": "x", "source": {"date": [1]}}, "source.date", "应为日期"),
        ({"type": "course", "title": "x", "modules": "一单元"}, "modules", "应为单元列表"),
        ({"type": "course", "title": "x", "timetable": [1, 2]}, "timetable", "应为映射"),
        (
            {"type": "course", "title": "x", "timetable": {"day_start": [9]}},
            "timetable.day_start",
            "应为时间",
        ),
        (
            {"type": "course", "title": "x", "modules": [{"title": {"a": 1}, "minutes": 30}]},
            "modules[1].title",
            "应为文本",
        ),
        (
            {"type": "course", "title": "x", "modules": [{"title": "a", "minutes": 30, "method": ["b"]}]},
            "modules[1].method",
            "应为文本",
        ),
        (
            {"type": "course", "title": "x", "modules": [{"title": "a", "minutes": 30, "objectives": [[1]]}]},
            "modules[1].objectives",
            "其中有列表",
        ),
    ],
)
def test_wrong_types_are_problems_of_their_field(home, write_md, meta, field, expected):
    problems = refused(write_md("bad.md", meta))
    assert any(f == field and expected in message for f, message in problems), problems


# --------------------------------------------------------------------------- bodies


@pytest.mark.parametrize(
    "body, expected",
    [
        ("".join("    " * i + "- 项\n" for i in range(1000)), "嵌套"),
        ("".join("  " * i + "- 项\n" for i in range(1000)), "嵌套"),
        ("- " * 1000 + "文\n", "嵌套超过 20 层"),
        ("> " * 50 + "文\n", "嵌套超过 20 层"),
        ("文 " + "<b>" * 100 + "x" + "</b>" * 100, "HTML 标签嵌套"),
        ("[" * 4000, "超过 500 个"),
        ("<http://a" * 1000, "超过 500 个"),
        (("[a](b)\n\n") * 10_001, "超过 10000 个"),
    ],
)
def test_deep_or_heavy_markdown_is_refused_before_rendering(home, write_md, body, expected):
    problems = refused(write_md("bad.md", {"type": "case", "title": "深"}, body))
    assert problems and problems[0][0] == "正文" and expected in problems[0][1], problems


def test_body_size_limit_is_a_setting(home, write_md, settings):
    settings.KB_IMPORT_MAX_BODY_BYTES = 1000
    path = write_md("big.md", {"type": "case", "title": "大"}, "文" * 400)
    [(field, message)] = refused(path)
    assert field == "正文" and message.startswith("正文有 1.2") and "超过上限 1000" in message
    settings.KB_IMPORT_MAX_BODY_BYTES = 2000
    import_files(collect_files([path]))


def test_a_file_far_over_the_limits_is_not_read(home, write_md, settings):
    settings.KB_IMPORT_MAX_BODY_BYTES = 1000
    path = write_md("huge.md", {"type": "case", "title": "大"}, "文" * 100_000)
    assert refused(path)[0][1].startswith("文件过大")


def test_fenced_code_is_not_counted_as_nesting():
    check_markdown("```\n" + "> " * 100 + "\n" + "[" * 1000 + "\n```\n")
    with pytest.raises(MarkdownRefused):
        markdown_to_html("> " * 30)


def test_chinese_lines_are_joined_without_a_space():
    html = markdown_to_html(
        "社区营造\n的过程，**居民**\n参与。\nEnglish\nwords 中文\n结尾\n\n> 甲\n> 乙\n\n`代码\n行`"
    )
    assert "社区营造的过程，<strong>居民</strong>参与。\nEnglish\nwords 中文结尾" in html
    assert "<p>甲乙</p>" in html
    assert "<code>代码\n行</code>" in html


# --------------------------------------------------------------------------- relations


def policy(write_md, slug, title, **relations):
    return write_md(f"{slug}.md", dict(POLICY, slug=slug, title=title, **relations))


def test_a_cycle_of_three_in_one_run_is_refused_with_the_chain(home, write_md):
    policy(write_md, "a", "甲", supersedes=["b"])
    policy(write_md, "b", "乙", amends=["c"])
    path = policy(write_md, "c", "丙", supersedes=["a"])
    problems = refused(path.parent)
    assert (
        "supersedes",
        "取代/修订关系形成循环：“甲” → “乙” → “丙” → “甲”。新政策只能取代或修订更早的政策。",
    ) in problems
    assert not PolicyPage.objects.exists()


def test_a_cycle_through_the_sites_policies_is_refused(indexes, write_md):
    older = publish(PolicyPageFactory(parent=indexes["policy"], title="旧政策", slug="old", live=False))
    newer = PolicyPageFactory(parent=indexes["policy"], title="新政策", slug="new", live=False)
    newer.supersedes = [older]
    publish(newer)
    problems = refused(policy(write_md, "old", "旧政策", amends=["new"]))
    assert problems == [
        (
            "supersedes",
            "取代/修订关系形成循环：“旧政策” → “新政策” → “旧政策”。新政策只能取代或修订更早的政策。",
        )
    ]
    assert not PolicyPage.objects.get(pk=older.pk).amends.exists()


def test_superseding_and_amending_the_same_policy_is_refused(home, write_md):
    policy(write_md, "b", "乙")
    path = policy(write_md, "a", "甲", supersedes=["b"], amends=["b"])
    assert ("amends", "同时取代又修订“b”，只能选一种关系。") in refused(path.parent)


def test_a_chain_without_a_loop_is_imported(home, write_md):
    policy(write_md, "a", "甲", supersedes=["b"])
    policy(write_md, "b", "乙", amends=["c"])
    path = policy(write_md, "c", "丙")
    import_files(collect_files([path.parent]))
    assert PolicyPage.objects.count() == 3


# --------------------------------------------------------------------------- anything else


def test_an_unexpected_error_is_a_problem_of_that_file_and_logged(home, write_md, monkeypatch, caplog):
    def broken(self, validator, plan):
        raise KeyError("bug")

    monkeypatch.setattr(CaseRules, "validate", broken)
    problems = refused(write_md("case.md", {"type": "case", "title": "甲"}))
    assert problems == [("", INTERNAL_ERROR)]
    assert "Traceback" in caplog.text or any(r.exc_info for r in caplog.records)


def test_an_unexpected_error_while_writing_is_a_problem_and_writes_nothing(
    home, write_md, monkeypatch, caplog
):
    def broken(self, writer, plan, page):
        raise KeyError("bug")

    monkeypatch.setattr(CaseRules, "fill", broken)
    path = write_md("case.md", {"type": "case", "title": "甲"})
    problems = refused(path)
    assert problems == [("", INTERNAL_ERROR)]
    assert any(record.exc_info for record in caplog.records)
    assert not CasePage.objects.exists()
