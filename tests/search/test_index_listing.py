"""The case and policy indexes filter and sort through the search service, on both backends.

`/cases/?issue=…` must show what `/api/search/?type=case&issue=…` finds: the same pages, the same
total and the same facet counts, in the order the listing's sort asks for.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb.cases.models import CaseIndexPage
from kb.policies.models import PolicyIssuer
from kb.vocabularies.models import PolicyLevel, Validity
from tests.factories import CasePageFactory, PolicyPageFactory, publish

from .helpers import api, facet, titles


def listing_of(client, path, **params):
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    return response.context["listing"], response.content.decode()


def shown_titles(listing):
    return [hit.title for hit in listing.hits]


def groups(listing):
    return {name: {v.value: (v.count, v.selected) for v in values} for name, _, values in listing.groups}


def assert_agrees_with_search(client, listing, type_key, facets, **params):
    data = api(client, type=type_key, page_size=30, **params)
    assert shown_titles(listing) == titles(data)
    assert listing.page.paginator.count == data["total"]
    for name in facets:
        if name in groups(listing) or facet(data, name):
            assert groups(listing)[name] == facet(data, name), name


CASE_FACETS = CaseIndexPage.listing_facets


def test_the_case_index_lists_cases_newest_first_with_facet_counts(client, library):
    listing, html = listing_of(client, "/cases/")
    # Newest by the years of the case (2019, 2015, 2008); the policy and the principle are not listed.
    assert shown_titles(listing) == ["铲屎官小队", "老旧小区停车难的协商", "助老服务队"]
    assert [name for name, _, _ in listing.groups] == [
        name for name in CASE_FACETS if name in groups(listing)
    ]
    assert groups(listing)["community_type"] == {"商品房小区": (2, False), "老旧院落": (1, False)}
    assert_agrees_with_search(client, listing, "case", CASE_FACETS, sort="newest")
    assert "共 3 个案例" in html
    assert re.search(r'<summary class="filters__toggle">筛选</summary>', html)  # nothing selected
    assert 'href="#results">跳到结果</a>' in html and 'id="results"' in html


def test_filters_narrow_the_cases_and_count_every_facet_but_their_own(client, library):
    listing, html = listing_of(client, "/cases/", issue=["宠物管理", "养老服务"], community_type="商品房小区")
    assert sorted(shown_titles(listing)) == ["助老服务队", "铲屎官小队"]
    # The issue facet is counted without its own filter: other issues stay offered with counts.
    assert "停车难" not in groups(listing)["issue"]
    assert groups(listing)["issue"]["环境卫生"] == (1, False)
    assert groups(listing)["issue"]["宠物管理"] == (1, True)
    assert_agrees_with_search(
        client,
        listing,
        "case",
        CASE_FACETS,
        sort="newest",
        issue=["宠物管理", "养老服务"],
        community_type="商品房小区",
    )
    assert [chip["facet"] + "：" + chip["value"] for chip in listing.chips] == [
        "议题：养老服务",  # in the facet's order: count, then value
        "议题：宠物管理",
        "社区类型：商品房小区",
    ]
    assert '筛选 <span class="filters__count">(3)</span>' in html
    assert (
        listing.chips[2]["remove"]
        == "issue=%E5%AE%A0%E7%89%A9%E7%AE%A1%E7%90%86&issue=%E5%85%BB%E8%80%81%E6%9C%8D%E5%8A%A1"
    )

    # A card's issue leads to the listing filtered on it.
    assert (
        '<a href="?issue=%E5%AE%A0%E7%89%A9%E7%AE%A1%E7%90%86" title="只看议题为“宠物管理”的">宠物管理</a>'
        in html
    )

    listing, _ = listing_of(client, "/cases/", region="四川省", actor="居民自组织")
    assert shown_titles(listing) == ["铲屎官小队"]


def test_the_title_sort_follows_pinyin_not_code_points(client, library, indexes):
    publish(CasePageFactory(parent=indexes["case"], title="邻里节", live=False))  # no years: last by newest
    listing, html = listing_of(client, "/cases/", sort="title")
    # chan-shi-guan, lao-jiu, lin-li, zhu-lao (by code point: 助 < 老 < 邻 < 铲).
    assert shown_titles(listing) == ["铲屎官小队", "老旧小区停车难的协商", "邻里节", "助老服务队"]
    newest, _ = listing_of(client, "/cases/")
    assert shown_titles(newest) == ["铲屎官小队", "老旧小区停车难的协商", "助老服务队", "邻里节"]
    assert_agrees_with_search(client, listing, "case", CASE_FACETS, sort="title")
    assert '<option value="title" selected>标题</option>' in html


def test_the_listing_reads_only_its_own_parameters(client, library):
    listing, _ = listing_of(client, "/cases/", type="policy", q="条例", level="市级")
    assert len(shown_titles(listing)) == 3  # type, q and facets it does not offer are not read


@pytest.mark.parametrize(
    "params",
    [{"sort": "relevance"}, {"sort": "nonsense"}, {"page": "abc"}, {"page": "0"}, {"page": "400"}],
    ids=["unoffered-sort", "unknown-sort", "page-text", "page-zero", "page-beyond-window"],
)
def test_bad_parameters_answer_400_in_chinese(client, library, params):
    response = client.get("/cases/", params)
    assert response.status_code == 400
    assert re.search(r'role="alert"><p>[^<]*[\u4e00-\u9fff]', response.content.decode())


def test_pages_of_the_listing(client, library, monkeypatch):
    monkeypatch.setattr(CaseIndexPage, "per_page", 2)
    first, html = listing_of(client, "/cases/")
    second, _ = listing_of(client, "/cases/", page=2)
    assert shown_titles(first) == ["铲屎官小队", "老旧小区停车难的协商"]
    assert shown_titles(second) == ["助老服务队"]
    assert first.page.paginator.num_pages == 2 and "第 1–2 个" in html
    assert 'href="?page=2" rel="next"' in html


def test_a_listing_costs_the_same_queries_for_more_cases(client, library, indexes):
    def queries():
        listing_of(client, "/cases/")  # the first request after a change also checks the index
        with CaptureQueriesContext(connection) as captured:
            listing_of(client, "/cases/")
        return len(captured)

    before = queries()
    for number in range(5):
        publish(CasePageFactory(parent=indexes["case"], title=f"新增案例{number}", live=False))
    listing, _ = listing_of(client, "/cases/")
    assert len(listing.hits) == 8
    assert queries() == before  # no query per card


@pytest.fixture
def policies(library, indexes):
    """Two more policies, from two issuers, one of them jointly."""

    def policy(title, issuers, level, validity, issued_on):
        page = PolicyPageFactory(
            parent=indexes["policy"],
            title=title,
            summary="",
            live=False,
            issued_on=issued_on,
            level=PolicyLevel.objects.get(name=level),
            validity=Validity.objects.get(name=validity),
        )
        page.issuers = [PolicyIssuer(name=name) for name in issuers]
        return publish(page)

    return {
        "regulation": library["regulation"],
        "opinion": policy("关于加强社区服务的意见", ["国务院"], "中央", "现行有效", "2006"),
        "joint": policy("关于社区减负的通知", ["民政部", "国务院"], "国务院部门", "已废止", "2015-03"),
    }


POLICY_FACETS = ("level", "validity", "issuer", "region", "issue", "actor", "method")


def test_the_policy_index_filters_by_issuer_level_and_validity(client, policies):
    listing, html = listing_of(client, "/policies/")
    assert shown_titles(listing) == ["城乡社区发展治理条例", "关于社区减负的通知", "关于加强社区服务的意见"]
    assert groups(listing)["issuer"] == {
        "国务院": (2, False),
        "成都市人大常委会": (1, False),
        "民政部": (1, False),
    }
    assert [name for name, _, _ in listing.groups][:3] == ["level", "validity", "issuer"]
    assert "<legend>发文机关</legend>" in html

    listing, html = listing_of(client, "/policies/", issuer="国务院")
    assert sorted(shown_titles(listing)) == ["关于加强社区服务的意见", "关于社区减负的通知"]
    assert groups(listing)["validity"] == {"现行有效": (1, False), "已废止": (1, False)}
    assert_agrees_with_search(client, listing, "policy", POLICY_FACETS, sort="newest", issuer="国务院")
    assert "发文机关：国务院" in html

    listing, _ = listing_of(client, "/policies/", issuer="国务院", validity="现行有效")
    assert shown_titles(listing) == ["关于加强社区服务的意见"]
    listing, _ = listing_of(client, "/policies/", level=["中央", "市级"], sort="title")
    assert shown_titles(listing) == ["城乡社区发展治理条例", "关于加强社区服务的意见"]


def test_the_issuer_facet_is_in_the_search_api(client, policies):
    data = api(client, issuer="民政部")
    assert titles(data) == ["关于社区减负的通知"]
    assert facet(data, "issuer") == {
        "国务院": (2, False),
        "成都市人大常委会": (1, False),
        "民政部": (1, True),
    }
    assert data["results"][0]["fields"]["issuer"] == ["民政部", "国务院"]


def test_the_migration_gives_existing_entries_their_title_key(db, library, search_backend):
    import importlib

    from django.apps import apps

    from search.models import SearchEntry

    if search_backend != "database":
        pytest.skip("the title key of the database index")
    indexed = dict(SearchEntry.objects.values_list("title", "title_key"))
    assert indexed["铲屎官小队"] == "chanshiguanxiaodui"
    SearchEntry.objects.update(title_key="")
    importlib.import_module("search.migrations.0011_entry_title_key").fill_title_keys(apps, None)
    assert dict(SearchEntry.objects.values_list("title", "title_key")) == indexed


def test_a_facet_of_many_values_lists_the_most_common_and_the_selected(client, policies, monkeypatch):
    monkeypatch.setattr("search.facets.MAX_LISTED_VALUES", 2)
    listing, _ = listing_of(client, "/policies/")
    assert groups(listing)["issuer"] == {"国务院": (2, False), "成都市人大常委会": (1, False)}
    listing, _ = listing_of(client, "/policies/", issuer="民政部")
    assert groups(listing)["issuer"] == {
        "国务院": (2, False),
        "成都市人大常委会": (1, False),
        "民政部": (1, True),
    }
    html = client.get("/search/", {"issuer": "民政部"}).content.decode()
    assert html.count('name="issuer"') == 3
    assert len(facet(api(client, issuer="民政部"), "issuer")) == 3  # the API lists them all
