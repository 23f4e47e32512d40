"""PAGE_URL/cite/?format=…, the cite box and the citation meta tags; policies citing validity."""

import json

import pytest

from kb.policies.models import PolicyIssuer, PolicyPage
from kb.vocabularies.models import Validity
from tests.factories import CasePageFactory, PolicyPageFactory, PrinciplePageFactory, publish


@pytest.fixture
def policy(indexes):
    page = PolicyPageFactory(
        parent=indexes["policy"], title="社区服务意见", summary="要点。", doc_number="国发〔2006〕14号",
        issued_on="2006-04-09", live=False,
    )  # fmt: skip
    page.issuers = [PolicyIssuer(name="国务院")]
    return publish(page)


@pytest.fixture
def case(indexes):
    page = CasePageFactory(parent=indexes["case"], title="助老服务队", summary="互助。", live=False)
    page.source_title, page.source_author, page.source_date = "参与式社区治理", "宋庆华", "2009"
    return publish(page)


def test_policy_as_ris_bibtex_and_csl(client, policy):
    ris = client.get(policy.url + "cite/?format=ris")
    assert ris["Content-Type"].startswith("application/x-research-info-systems")
    text = ris.content.decode()
    assert "TY  - GOVDOC" in text and "AU  - 国务院" in text and "M1  - 国发〔2006〕14号" in text
    assert "DA  - 2006/04/09" in text and f"UR  - http://testserver{policy.url}" in text
    bibtex = client.get(policy.url + "cite/?format=bibtex").content.decode()
    assert bibtex.startswith("@misc{kb-") and "author = {{国务院}}" in bibtex and "year = {2006}" in bibtex
    (item,) = json.loads(client.get(policy.url + "cite/?format=csl-json").content)
    assert item["type"] == "legislation"
    assert item["issued"] == {"date-parts": [[2006, 4, 9]]}
    assert item["number"] == "国发〔2006〕14号"


def test_case_citation_names_its_source(client, case):
    text = client.get(case.url + "cite/?format=ris").content.decode()
    assert "TY  - ELEC" in text and "AU  - 社区营造知识库" in text
    assert "N1  - 据宋庆华《参与式社区治理》（2009年）整理" in text


def test_unknown_format_is_400_in_chinese(client, case):
    response = client.get(case.url + "cite/?format=endnote")
    assert response.status_code == 400
    assert "引用格式" in response.json()["error"]


def test_every_type_has_meta_tags_and_a_cite_box(client, case, policy, indexes):
    principle = publish(PrinciplePageFactory(parent=indexes["principle"], title="居民主体", live=False))
    for page in (case, policy, principle):
        html = client.get(page.url).content.decode()
        assert f'<meta name="citation_title" content="{page.title}">' in html
        assert '<meta name="DC.title"' in html and 'rel="schema.DC"' in html
        assert "引用本页" in html and "[EB/OL]" in html
        assert client.get(page.url + "cite/?format=bibtex").status_code == 200
    html = client.get(policy.url).content.decode()
    assert '<meta name="citation_author" content="国务院">' in html
    assert '<meta name="citation_publication_date" content="2006/04/09">' in html
    assert "国务院. 社区服务意见：国发〔2006〕14号[EB/OL]. (2006-04-09)" in html


def test_a_case_linking_a_repealed_policy_names_the_newer_one(
    client, indexes, policy, django_assert_max_num_queries
):
    newer = PolicyPageFactory(parent=indexes["policy"], title="社区服务新意见", issued_on="2020", live=False)
    newer.supersedes = [policy]
    publish(newer)
    policy = PolicyPage.objects.get(pk=policy.pk)
    assert policy.validity == Validity.objects.get(name="已废止")
    linking = CasePageFactory(parent=indexes["case"], title="引用旧文件的案例", live=False)
    linking.policies = [policy]
    publish(linking)
    html = client.get(linking.url).content.decode()
    assert "已废止：已被" in html and "《社区服务新意见》" in html and newer.url in html
