import os
import uuid

import pytest

from kb.policies.models import PolicyIssuer
from kb.vocabularies.models import Actor, CommunityType, Issue, PolicyLevel, Region, Validity
from tests.factories import CasePageFactory, PolicyPageFactory, PrinciplePageFactory, publish


def terms(model, *names):
    return [model.objects.get(name=name) for name in names]


@pytest.fixture(params=["database", "elasticsearch"])
def search_backend(request, settings):
    """Run the test once per backend. Elasticsearch is the cluster named by ELASTICSEARCH_URL when
    there is one (each test under an alias of its own, removed afterwards), else a fresh clone of
    an osmem-server."""
    if request.param == "database":
        yield "database"
        return
    from search.backends.elasticsearch import ElasticsearchBackend, get_client

    settings.ELASTICSEARCH_INDEX = f"kb-test-{uuid.uuid4().hex[:8]}"
    if settings.ELASTICSEARCH_TEST_URL:
        settings.ELASTICSEARCH_URL = settings.ELASTICSEARCH_TEST_URL
        settings.ELASTICSEARCH_PLAIN_JSON = os.environ.get("ELASTICSEARCH_PLAIN_JSON", "") == "1"
    else:
        settings.ELASTICSEARCH_URL = request.getfixturevalue("osmem_clone").url
        settings.ELASTICSEARCH_PLAIN_JSON = True  # osmem refuses the client's versioned media type
    backend = ElasticsearchBackend(client=get_client())  # tests may point the settings elsewhere
    yield "elasticsearch"
    for name in backend.indexes_behind_alias():
        backend.client.indices.delete(index=name, ignore_unavailable=True)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`with commit(): ...` runs what the block leaves for after its transaction commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def library(indexes, search_backend):
    """A small library covering every facet, published so the index sees it."""

    def case(title, summary, issues=(), actors=(), region=None, community_type=None, year=None, body=""):
        page = CasePageFactory(
            parent=indexes["case"],
            title=title,
            summary=summary,
            live=False,
            region=Region.get_or_create_path(region) if region else None,
            community_type=CommunityType.objects.get(name=community_type) if community_type else None,
            year_start=year,
            body=[("section", {"kind": "background", "heading": "", "content": f"<p>{body}</p>"})]
            if body
            else [],
        )
        page.issues = terms(Issue, *issues)
        page.actors = terms(Actor, *actors)
        return publish(page)

    pages = {
        "parking": case(
            "老旧小区停车难的协商",
            "居民议事会商定车位轮换规则。",
            issues=["停车难"],
            actors=["居委会", "议事会"],
            region="四川省/成都市/武侯区",
            community_type="老旧院落",
            year=2015,
            body="小区里停车位紧张，居民在议事会上协商出自治规约。",
        ),
        "elderly": case(
            "助老服务队",
            "居民自发成立的互助队伍。",
            issues=["养老服务", "邻里互助"],
            actors=["居民自组织"],
            region="北京市/大兴区",
            community_type="商品房小区",
            year=2008,
            body="队员每周探访独居老人。",
        ),
        "pets": case(
            "铲屎官小队",
            "从宠物选美到文明养宠。",
            issues=["宠物管理", "环境卫生"],
            actors=["居民自组织", "业委会"],
            region="四川省/成都市",
            community_type="商品房小区",
            year=2019,
            body="业主委员会支持小队的巡查。<script>alert(1)</script>",
        ),
    }
    policy = PolicyPageFactory(
        parent=indexes["policy"],
        title="城乡社区发展治理条例",
        summary="规定居民议事会的地位。",
        live=False,
        issued_on="2018-06",
        level=PolicyLevel.objects.get(name="市级"),
        validity=Validity.objects.get(name="现行有效"),
        region=Region.get_or_create_path("四川省/成都市"),
    )
    policy.issuers = [PolicyIssuer(name="成都市人大常委会")]
    pages["regulation"] = publish(policy)
    pages["principle"] = publish(
        PrinciplePageFactory(
            parent=indexes["principle"], title="过程导向原则", summary="过程比结果重要。", live=False
        )
    )
    return pages
