"""Hostile text in every field: no script, handler or javascript: link reaches the page, the admin
or the status page, in review or after publication."""

from html.parser import HTMLParser

from django.urls import reverse

from kb.contributions.models import Contribution

HOSTILE = '<script>alert("x")</script><img src=x onerror="alert(1)"><a href="javascript:alert(2)">点我</a>'
MARKDOWN_HOSTILE = "[点我](javascript:alert(3))\n\n<iframe src='https://evil.example'></iframe>\n\n<p onclick=\"alert(4)\">文字</p>"


class TagCollector(HTMLParser):
    """Every real tag and attribute of a page (text and attribute values stay text)."""

    def __init__(self):
        super().__init__()
        self.tags = []
        self.scripts = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        # JSON data islands (the admin's form state) are not run by the browser.
        self._in_script = tag == "script" and "json" not in (dict(attrs).get("type") or "")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def assert_clean(html):
    parser = TagCollector()
    parser.feed(html)
    assert not any("alert(" in script for script in parser.scripts), [
        x for x in parser.scripts if "alert(" in x
    ]  # the admin's own scripts are fine
    for tag, attrs in parser.tags:
        assert not (tag == "iframe" and "evil.example" in (dict(attrs).get("src") or ""))
        for name, value in attrs:
            if name.startswith("on"):
                assert "alert" not in (value or ""), (tag, name, value)
            if name in ("href", "src", "action"):
                assert not (value or "").strip().lower().startswith("javascript:"), (tag, name, value)


def test_hostile_text_never_becomes_live_script(client, submit, moderator):
    response = submit(
        title=f"标题{HOSTILE}"[:100],
        summary=f"摘要{HOSTILE}",
        section_background=f"背景{HOSTILE}",
        section_process=f"过程\n\n{MARKDOWN_HOSTILE}",
        section_lessons=HOSTILE,
        contributor_name='<img src=x onerror="alert(5)">',
        issues_other="<script>alert(6)</script>",
        source_title_1=HOSTILE[:200],
        source_url_1='https://example.com/?q="><script>alert(7)</script>',
    )
    assert response.status_code == 302, response.context["form"].errors
    contribution = Contribution.objects.get()
    page = contribution.page
    stored = "".join(block.value["content"].source for block in page.body if block.block_type == "section")
    assert_clean(stored)
    assert "点我" in stored and "文字" in stored  # the text survives, only the markup goes

    assert_clean(client.get(response["Location"]).content.decode())
    client.force_login(moderator)
    for url in (
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk]),
        reverse("contributions_admin:list"),
        reverse("contributions_admin:detail", args=[contribution.pk]),
        "/admin/",
    ):
        assert_clean(client.get(url).content.decode())
    task_state = page.current_workflow_task_state
    client.post(reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", task_state.pk)))
    page.refresh_from_db()
    assert page.live
    client.logout()
    html = client.get(page.url).content.decode()
    assert_clean(html)
    assert "&lt;script&gt;" in html  # the title and summary are shown as text
    api = client.get("/api/search/", {"q": "背景"})
    assert api["Content-Type"].startswith("application/json")  # data, never rendered as HTML
    assert_clean(client.get("/search/", {"q": "背景"}).content.decode())
