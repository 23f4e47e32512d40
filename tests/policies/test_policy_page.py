import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest

from kb.policies.models import PolicyIssuer
from kb.vocabularies.models import PolicyLevel, Validity
from search.indexing import rebuild
from tests.factories import CasePageFactory, PolicyPageFactory, publish


@pytest.fixture
def old_and_new(indexes):
    old = PolicyPageFactory(
        parent=indexes["policy"],
        title="旧办法",
        issued_on="2008",
        validity=Validity.objects.get(name="已废止"),
    )
    new = PolicyPageFactory(
        parent=indexes["policy"],
        title="城乡社区发展治理条例",
        doc_number="",
        issued_on="2018-06-01",
        level=PolicyLevel.objects.get(name="市级"),
        validity=Validity.objects.get(name="现行有效"),
    )
    new.issuers = [PolicyIssuer(name="某市人大常委会"), PolicyIssuer(name="某市人民政府")]
    new.supersedes = [old]
    return old, publish(new)


def test_policy_page_shows_official_metadata(client, old_and_new):
    _, new = old_and_new
    html = client.get(new.url).content.decode()
    for text in ("某市人大常委会", "某市人民政府", "市级", "2018年6月1日", "现行有效"):
        assert text in html, text
    assert new.issuer_names == ["某市人大常委会", "某市人民政府"]


def test_supersession_shows_on_both_pages(client, old_and_new):
    old, new = old_and_new
    assert list(old.live_superseded_by) == [new]
    old_html = client.get(old.url).content.decode()
    assert "已废止" in old_html and new.url in old_html
    assert old.url in client.get(new.url).content.decode()


def test_lifecycle_relations_are_not_mixed_into_related_policies(old_and_new):
    old, new = old_and_new
    assert list(new.linked_policies) == [] and list(old.linked_policies) == []


def test_policy_links_cases_both_ways(client, indexes, old_and_new):
    _, new = old_and_new
    case = CasePageFactory(parent=indexes["case"], title="院落自治")
    case.policies = [new]
    publish(case)
    assert list(new.linked_cases) == [case]
    assert "院落自治" in client.get(new.url).content.decode()


def test_level_and_validity_lead_to_the_search_filtered_on_them(client, old_and_new):
    _, new = old_and_new
    rebuild()
    html = client.get(new.url).content.decode()
    links = [unescape(href) for href in re.findall(r'href="(/search/\?[^"]+)"', html)]
    pairs = {pair: link for link in links for pair in parse_qsl(urlsplit(link).query)}
    for pair in (("level", "市级"), ("validity", "现行有效")):
        api = client.get(pairs[pair].replace("/search/", "/api/search/", 1)).json()
        assert new.title in [hit["title"] for hit in api["results"]], pair
