import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest

from kb.cases.blocks import CASE_SECTIONS
from kb.vocabularies.models import CommunityType, Issue, Region
from search.indexing import rebuild
from tests.factories import CasePageFactory, PrinciplePageFactory, publish


@pytest.fixture
def case(indexes):
    page = CasePageFactory(
        parent=indexes["case"],
        title="滨河东里“189民商联合会”",
        slug="binhedongli",
        region=Region.get_or_create_path("北京市/大兴区"),
        community_type=CommunityType.objects.get(name="混合型社区"),
        year_start=2008,
        scale="189家商户",
        body=[
            ("section", {"kind": "background", "heading": "", "content": "<p>商户噪音和垃圾引发矛盾。</p>"}),
            ("section", {"kind": "other", "heading": "补充说明", "content": "<p>更多。</p>"}),
        ],
    )
    page.issues = [Issue.objects.get(name="商户扰民")]
    return publish(page)


def test_case_page_shows_structured_fields_and_sections(client, case):
    html = client.get(case.url).content.decode()
    for text in ("滨河东里“189民商联合会”", "北京市/大兴区", "混合型社区", "2008", "189家商户", "商户扰民"):
        assert text in html, text
    assert dict(CASE_SECTIONS)["background"] in html and "补充说明" in html
    assert "商户噪音和垃圾引发矛盾。" in html


def test_links_show_both_ways_and_only_to_live_pages(client, indexes, case):
    linked_from_case = PrinciplePageFactory(parent=indexes["principle"], title="共同参与原则")
    linking_to_case = PrinciplePageFactory(parent=indexes["principle"], title="过程导向原则")
    draft = PrinciplePageFactory(parent=indexes["principle"], title="草稿原则", live=False)
    case.principles = [linked_from_case, draft]
    publish(case)
    linking_to_case.cases = [case]
    publish(linking_to_case)

    assert {p.title for p in case.linked_principles} == {"共同参与原则", "过程导向原则"}
    html = client.get(case.url).content.decode()
    assert "共同参与原则" in html and "过程导向原则" in html and "草稿原则" not in html
    assert "滨河东里" in client.get(linked_from_case.url).content.decode()


def test_case_index_lists_live_cases_only(client, indexes, case):
    CasePageFactory(parent=indexes["case"], title="未发布案例", live=False)
    html = client.get(indexes["case"].url).content.decode()
    assert "滨河东里" in html and "未发布案例" not in html


def test_year_end_before_start_is_refused(indexes):
    from django.core.exceptions import ValidationError

    page = CasePageFactory.build(title="x", slug="x", year_start=2010, year_end=2009)
    with pytest.raises(ValidationError):
        indexes["case"].add_child(instance=page)


def test_every_tag_place_and_type_leads_to_the_search_filtered_on_it(client, case):
    """Each link on the page is followed: the filtered search it opens finds this case."""
    rebuild()
    html = client.get(case.url).content.decode()
    links = {unescape(href) for href in re.findall(r'href="(/search/\?[^"]+)"', html)}
    expected = {("region", "北京市/大兴区"), ("community_type", "混合型社区"), ("issue", "商户扰民")}

    found = {pair for link in links for pair in parse_qsl(urlsplit(link).query)}
    assert expected <= found
    for link in links:
        if any(pair in expected for pair in parse_qsl(urlsplit(link).query)):
            api = client.get(link.replace("/search/", "/api/search/", 1)).json()
            assert case.title in [hit["title"] for hit in api["results"]], link
