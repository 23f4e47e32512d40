from kb.core.markdown import markdown_to_html, split_sections


def test_sections_split_at_level_one_and_two_headings_only():
    text = "引言\n\n## 背景与问题\n内容\n### 小标题\n更多\n# 顶级\n末尾"
    assert split_sections(text) == [
        ("", "引言"),
        ("背景与问题", "内容\n### 小标题\n更多"),
        ("顶级", "末尾"),
    ]


def test_headings_inside_code_fences_do_not_split():
    text = "## 一\n```\n## 不是标题\n```\n"
    assert [heading for heading, _ in split_sections(text)] == ["一"]


def test_deep_headings_become_level_four_and_lists_survive():
    html = markdown_to_html("##### 五级\n\n- 甲\n- 乙\n\n1. 一\n2. 二")
    assert "<h4>五级</h4>" in html and "<ul>" in html and "<ol>" in html


def test_links_keep_safe_schemes_only():
    html = markdown_to_html(
        "[a](https://a.org) [b](mailto:x@y.org) [c](javascript:alert(1)) [d](data:text/html,x)"
    )
    assert 'href="https://a.org"' in html and 'href="mailto:x@y.org"' in html
    assert "javascript" not in html and "data:" not in html
