"""RSS and Atom feeds of new cases and policies, and sitemap.xml."""

import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from wagtail.models import PageViewRestriction

from kb.vocabularies.models import Issue
from tests.factories import CasePageFactory, PolicyPageFactory, PrinciplePageFactory, publish

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def pages(indexes):
    def page(factory, index, title, summary="摘要。", issues=(), live=True):
        created = factory(parent=indexes[index], title=title, summary=summary, live=False)
        created.issues = [Issue.objects.get(name=name) for name in issues]
        return publish(created) if live else created

    return {
        "parking": page(
            CasePageFactory, "case", "停车难的协商", "车位<script>alert(1)</script>轮换。", ["停车难"]
        ),
        "elderly": page(CasePageFactory, "case", "助老服务队", issues=["养老服务"]),
        "policy": page(PolicyPageFactory, "policy", "社区发展治理条例", issues=["停车难"]),
        "principle": publish(PrinciplePageFactory(parent=indexes["principle"], title="过程导向", live=False)),
        "draft": page(CasePageFactory, "case", "草稿案例", live=False),
    }


def rss_titles(client, **params):
    response = client.get("/feeds/latest.rss", params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    return [item.findtext("title") for item in channel.iter("item")]


def test_rss_lists_new_cases_and_policies_newest_first(client, pages):
    assert rss_titles(client) == ["[政策] 社区发展治理条例", "[案例] 助老服务队", "[案例] 停车难的协商"]


def test_feed_filters_by_type_and_issue(client, pages):
    assert rss_titles(client, type="policy") == ["[政策] 社区发展治理条例"]
    assert rss_titles(client, issue="停车难") == ["[政策] 社区发展治理条例", "[案例] 停车难的协商"]
    assert rss_titles(client, type="case", issue=["停车难", "养老服务"]) == [
        "[案例] 助老服务队",
        "[案例] 停车难的协商",
    ]


def test_unpublished_and_private_pages_stay_out(client, pages):
    PageViewRestriction.objects.create(page=pages["elderly"], restriction_type="login")
    pages["policy"].unpublish()
    assert rss_titles(client) == ["[案例] 停车难的协商"]


@pytest.mark.parametrize(
    ("params", "message"),
    [({"type": "principle"}, "未知的类型"), ({"issue": "不存在的议题"}, "未知的议题")],
)
def test_bad_filters_answer_400_in_chinese(client, pages, params, message):
    response = client.get("/feeds/latest.rss", params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_atom_entries_carry_links_dates_summaries_and_issues(client, pages):
    response = client.get("/feeds/latest.atom", {"type": "case"})
    assert response.status_code == 200
    feed = ET.fromstring(response.content)
    entry = next(e for e in feed.iter(f"{ATOM}entry") if "停车难的协商" in e.findtext(f"{ATOM}title"))
    assert entry.find(f"{ATOM}link").get("href") == "http://testserver" + pages["parking"].url
    assert entry.findtext(f"{ATOM}published")
    # The summary is text in the XML: the markup arrives escaped, never as a tag.
    assert entry.findtext(f"{ATOM}summary") == "车位<script>alert(1)</script>轮换。"
    assert b"<script>" not in response.content
    assert {c.get("term") for c in entry.iter(f"{ATOM}category")} == {"案例", "停车难"}


def test_pages_link_to_the_feeds(client, pages):
    html = client.get(pages["parking"].url).content.decode()
    assert 'type="application/rss+xml"' in html and 'href="/feeds/latest.atom"' in html


def test_sitemap_lists_live_pages_only(client, pages):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    locations = ET.fromstring(response.content).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    paths = {urlsplit(loc.text).path for loc in locations}
    assert {pages["parking"].url, pages["policy"].url, pages["principle"].url} <= paths
    assert pages["draft"].get_url_parts()[2] not in paths
