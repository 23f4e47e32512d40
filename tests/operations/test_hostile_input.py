"""Hostile query strings on every public URL: never a 5xx, and bounded work.

PUBLIC_URLS lists each public URL with the parameters it reads; a feature that adds a URL adds
a line there (`{case}` and `{course}` stand for a live page's path). Every parameter of every URL
gets every value of HOSTILE_VALUES. "Bounded" is measured in work, not time: the status is one
a client can act on (200, 400, 404), the body stays under MAX_BODY_BYTES and the request runs at
most MAX_QUERIES database queries. Course PDFs (`pdf/`) are left out: each one starts Chromium.
"""

from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb.vocabularies.models import Issue
from tests.factories import CasePageFactory, CoursePageFactory, PolicyPageFactory, publish

SEARCH_PARAMS = ["q", "type", "issue", "region", "year", "sort", "page", "page_size"]
PUBLIC_URLS = [
    ("/search/", SEARCH_PARAMS),
    ("/api/search/", SEARCH_PARAMS),
    ("/feeds/latest.rss", ["type", "issue"]),
    ("/feeds/latest.atom", ["type", "issue"]),
    ("/sitemap.xml", ["p"]),
    (
        "/api/v2/pages/",
        ["search", "type", "fields", "order", "offset", "limit", "child_of", "search_operator"],
    ),
    ("/api/v2/images/", ["search", "offset", "limit"]),
    ("/api/v2/documents/", ["search", "offset", "limit"]),
    ("/", ["page"]),
    ("/cases/", ["page"]),
    ("/courses/", ["audience", "duration", "issue", "page"]),
    ("{case}", ["q"]),
    ("{course}print/", ["q"]),
    ("/healthz", ["q"]),
    ("/api/search/suggest/", ["q"]),
    ("/api/search/similar/?url={case}", ["url", "type"]),
    ("/search/export.csv", SEARCH_PARAMS),
    ("/search/export.json", SEARCH_PARAMS),
    ("/search/export.ris", SEARCH_PARAMS),
    ("/feeds/search.rss", SEARCH_PARAMS),
    ("/feeds/search.atom", SEARCH_PARAMS),
    ("/compare/?pages={case_slug}&pages={other_case_slug}", ["pages"]),
    ("{case}cite/?format=ris", ["format"]),
    ("/contribute/", ["q"]),
]
# Searches behind the admin's login: only their text box is bounded by the site.
ADMIN_SEARCH_URLS = [
    ("/admin/pages/search/", ["q"]),
    ("/admin/choose-page/search/", ["q"]),
    ("/admin/images/", ["q"]),
    ("/admin/documents/", ["q"]),
]

HOSTILE_VALUES = {
    "quote": "%22",
    "nul": "%00",
    "curly quote": quote("“未闭合"),
    "fts syntax": quote('停车" OR "x* NEAR( AND (('),
    "sql": quote("' OR 1=1; --"),
    "markup": quote("<script>alert(1)</script>"),
    "invalid utf-8": "%ff%fe%c0%af",
    "broken escape": "%E5%81%",
    "lone percent": "%",
    "repeated words": quote("停车 " * 300),
    "huge": "a" * 20_000,
    "huge chinese": quote("停" * 5_000),
    "huge number": "9" * 30,
    "negative": "-1",
    "zero": "0",
}
REPEATS = 500  # many repeated parameters: `issue=…&issue=…`
ALLOWED_STATUSES = {200, 400, 404}
MAX_BODY_BYTES = 1_000_000
MAX_QUERIES = 150


@pytest.fixture
def pages(indexes):
    case = CasePageFactory(parent=indexes["case"], title="老旧小区停车难的协商", live=False)
    case.issues = [Issue.objects.get(name="停车难")]
    policy = PolicyPageFactory(parent=indexes["policy"], title="停车管理办法", live=False)
    course = CoursePageFactory(parent=indexes["course"], title="停车议事培训", live=False)
    other = CasePageFactory(parent=indexes["case"], title="小区停车位共享", live=False)
    other.issues = [Issue.objects.get(name="停车难")]
    publish(other)
    return {
        "case": publish(case).url,
        "policy": publish(policy).url,
        "course": publish(course).url,
        "case_slug": case.slug,
        "other_case_slug": other.slug,
    }


def query_strings(params):
    for param in params:
        for name, value in HOSTILE_VALUES.items():
            yield f"{param} = {name}", f"{param}={value}"
        yield f"{param} × {REPEATS}", "&".join(f"{param}={quote('停车难')}" for _ in range(REPEATS))
    yield "hostile parameter name", "%00%ff=1&" + "x" * 600 + "=1"


def check(client, url, params):
    problems = []
    for label, query in query_strings(params):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{url}{'&' if '?' in url else '?'}{query}")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        size = len(body)
        if (
            response.status_code not in ALLOWED_STATUSES
            or size > MAX_BODY_BYTES
            or len(queries) > MAX_QUERIES
        ):
            problems.append(f"{url} {label}: {response.status_code}, {size} bytes, {len(queries)} queries")
    return problems


@pytest.mark.parametrize(("url", "params"), PUBLIC_URLS, ids=[url for url, _ in PUBLIC_URLS])
def test_public_urls_hold_hostile_query_strings(client, pages, url, params):
    url = url.format(**pages)
    assert client.get(url).status_code == 200  # the URL exists: hostile values are tested on it
    assert check(client, url, params) == []


@pytest.mark.parametrize(("url", "params"), ADMIN_SEARCH_URLS, ids=[url for url, _ in ADMIN_SEARCH_URLS])
def test_admin_searches_hold_hostile_text(admin_client, pages, url, params):
    assert admin_client.get(url).status_code == 200
    assert check(admin_client, url, params) == []


@pytest.mark.django_db
def test_api_v2_search_uses_the_site_search(client, pages):
    """Chinese analysis (停车 inside 停车难), the site's limits, and 400 in Chinese."""
    body = client.get("/api/v2/pages/", {"search": "停车", "type": "cases.CasePage"}).json()
    assert sorted(item["title"] for item in body["items"]) == ["小区停车位共享", "老旧小区停车难的协商"]
    response = client.get("/api/v2/pages/", {"search": "停" * 201})
    assert response.status_code == 400
    assert "搜索词过长" in response.json()["message"]
    response = client.get("/api/v2/pages/?search=" + quote("停车 " * 21))
    assert response.status_code == 400
    assert "词语过多" in response.json()["message"]
