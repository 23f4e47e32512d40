"""No script from typed or stored editor text runs in a page: rich text, titles, summaries and
search snippets are escaped or sanitised on every public path."""

from html.parser import HTMLParser

import pytest

from tests.factories import CasePageFactory, PolicyPageFactory, publish

VECTORS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">链接</a>',
    '<svg onload="alert(1)"></svg>',
    '<a href="#" onclick="alert(1)">点我</a>',
    '<iframe src="https://example.com"></iframe>',
    "<style>body{display:none}</style>",
]


class ActiveContent(HTMLParser):
    """What a browser would run or load from the page: the vectors' tags, handlers and URLs."""

    def __init__(self):
        super().__init__()
        self.found, self.in_script = [], False

    def handle_starttag(self, tag, attrs):
        if tag in ("iframe", "svg", "object", "embed"):
            self.found.append(tag)
        self.in_script = tag == "script"
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}={value}")

    def handle_data(self, data):
        if self.in_script and "alert(1)" in data:  # the site's own scripts never say this
            self.found.append("script")

    def handle_endtag(self, tag):
        self.in_script = False


def active_content(html):
    parser = ActiveContent()
    parser.feed(html)
    return parser.found


def body(html):
    return [("section", {"kind": "background", "heading": "背景", "content": f"<p>正文</p>{html}"})]


@pytest.mark.parametrize("vector", VECTORS)
def test_rich_text_stored_without_the_editor_is_sanitised_on_the_page(client, indexes, vector):
    page = publish(CasePageFactory(parent=indexes["case"], title="案例", body=body(vector), live=False))
    html = client.get(page.url).content.decode()
    assert "正文" in html
    assert active_content(html) == []
    assert "<style>" not in html[html.index("<main") :]


@pytest.mark.parametrize("vector", VECTORS)
def test_titles_and_summaries_are_escaped_everywhere_they_show(client, indexes, vector):
    case = publish(
        CasePageFactory(parent=indexes["case"], title=f"停车{vector}", summary=f"摘要{vector}", live=False)
    )
    publish(PolicyPageFactory(parent=indexes["policy"], title=f"条例{vector}", summary=vector, live=False))
    for path in (case.url, indexes["case"].url, indexes["policy"].url, "/", "/search/?q=停车"):
        html = client.get(path).content.decode()
        assert active_content(html) == [], path
    data = client.get("/api/search/", {"q": "停车"}).json()
    assert "<script" not in data["results"][0]["highlight"]


def test_the_editor_keeps_links_and_formatting(client, indexes):
    content = '<p><b>加粗</b> <a href="https://example.com/a">外链</a></p><ul><li>一</li></ul>'
    page = publish(CasePageFactory(parent=indexes["case"], title="案例", body=body(content), live=False))
    html = client.get(page.url).content.decode()
    assert '<a href="https://example.com/a">外链</a>' in html and "<li>一</li>" in html
