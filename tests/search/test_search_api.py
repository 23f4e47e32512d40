"""GET /api/search/ answers every case of INTERFACES §4, on each backend (the `library` runs every
test once on the database backend and once on Elasticsearch)."""

from urllib.parse import urlencode

import pytest
from django.core.management import call_command

from search.indexing import index_backends
from search.models import SearchEntry
from tests.search.helpers import api, facet, titles


def test_two_character_word_is_found_inside_running_text(client, library, search_backend):
    data = api(client, q="停车")
    assert data["backend"] == search_backend
    assert titles(data)[0] == "老旧小区停车难的协商"
    assert "<mark>停车</mark>" in data["results"][0]["highlight"]


def test_every_word_of_the_query_counts(client, library):
    assert set(titles(api(client, q="居民 议事会"))) == {"老旧小区停车难的协商", "城乡社区发展治理条例"}
    assert titles(api(client, q="议事会 宠物")) == []


def test_vocabulary_terms_are_searchable_as_text(client, library):
    assert titles(api(client, q="养老")) == ["助老服务队"]  # tagged 养老服务; its text never says 养老


@pytest.mark.parametrize(("query", "expected"), [("业委会", "铲屎官小队"), ("业主委员会", "铲屎官小队")])
def test_abbreviations_and_full_forms_find_each_other(client, library, query, expected):
    assert expected in titles(api(client, q=query))


def test_title_ranks_above_body(client, library, indexes):
    from tests.factories import CasePageFactory, publish

    publish(CasePageFactory(parent=indexes["case"], title="自治规约怎么订", summary="一份指南。", live=False))
    assert titles(api(client, q="自治规约")) == ["自治规约怎么订", "老旧小区停车难的协商"]


def test_single_character_query(client, library):
    assert "老旧小区停车难的协商" in titles(api(client, q="车"))


def test_result_shape(client, library):
    data = api(client, q="条例")
    assert set(data) == {
        "query",
        "backend",
        "total",
        "page",
        "page_size",
        "results",
        "facets",
        "relaxed",
        "notice",
    }
    result = data["results"][0]
    assert result == {
        "title": "城乡社区发展治理条例",
        "url": library["regulation"].url,
        "type": "policy",
        "summary": "规定居民议事会的地位。",
        "highlight": result["highlight"],
        "date": "2018-06",
        "date_label": "发布日期：2018年6月",
        "fields": {
            "region": ["四川省/成都市"],
            "level": ["市级"],
            "validity": ["现行有效"],
            "issuer": ["成都市人大常委会"],
        },
    }
    assert data["facets"]["type"] == [{"value": "policy", "label": "政策", "count": 1, "selected": False}]


def test_or_within_a_facet_and_across_facets(client, library):
    either = api(client, issue=["停车难", "宠物管理"])
    assert sorted(titles(either)) == ["老旧小区停车难的协商", "铲屎官小队"]
    both = api(client, issue=["停车难", "宠物管理"], community_type="商品房小区")
    assert titles(both) == ["铲屎官小队"]


def test_each_facet_is_counted_without_its_own_filter(client, library):
    data = api(client, issue="停车难", type="case")
    # The issue facet ignores the issue filter: the user can widen the selection.
    issues = facet(data, "issue")
    assert (
        issues["停车难"] == (1, True)
        and issues["宠物管理"] == (1, False)
        and issues["养老服务"] == (1, False)
    )
    # Other facets apply every filter.
    assert facet(data, "community_type") == {"老旧院落": (1, False)}
    assert facet(data, "type") == {"case": (1, True), "policy": (0, False)} or facet(data, "type")[
        "case"
    ] == (1, True)


def test_multi_select_counts(client, library):
    data = api(client, issue=["停车难", "宠物管理"])
    assert data["total"] == 2
    assert facet(data, "actor")["居民自组织"] == (1, False)
    assert facet(data, "community_type") == {"老旧院落": (1, False), "商品房小区": (1, False)}


def test_region_is_hierarchical(client, library):
    assert sorted(titles(api(client, region="四川省"))) == [
        "城乡社区发展治理条例",
        "老旧小区停车难的协商",
        "铲屎官小队",
    ]
    assert titles(api(client, region="四川省/成都市/武侯区")) == ["老旧小区停车难的协商"]
    regions = facet(api(client), "region")
    assert regions["四川省"][0] == 3 and regions["四川省/成都市"][0] == 3 and regions["北京市"][0] == 1
    assert "四川省/成都市/武侯区" not in regions  # the facet lists provinces and cities


def test_selected_district_stays_listed_so_it_can_be_removed(client, library):
    regions = facet(api(client, region="四川省/成都市/武侯区"), "region")
    assert regions["四川省/成都市/武侯区"] == (1, True)


def test_year_level_and_validity_facets(client, library):
    data = api(client, type="policy")
    assert facet(data, "level") == {"市级": (1, False)} and facet(data, "validity") == {
        "现行有效": (1, False)
    }
    assert titles(api(client, year="2019")) == ["铲屎官小队"]


def test_sort_newest_and_pagination(client, library):
    newest = api(client, type="case", sort="newest")
    assert titles(newest) == ["铲屎官小队", "老旧小区停车难的协商", "助老服务队"]
    second = api(client, type="case", sort="newest", page=2, page_size=2)
    assert (second["total"], second["page"], second["page_size"], titles(second)) == (3, 2, 2, ["助老服务队"])


def test_facet_value_matching_nothing_gives_no_results(client, library):
    data = api(client, issue="不存在的议题")
    assert data["total"] == 0 and data["results"] == []


def test_highlight_escapes_page_text(client, library):
    data = api(client, q="业主委员会")
    assert "<script>" not in data["results"][0]["highlight"]


@pytest.mark.parametrize(
    "params",
    [
        {"type": "story"},
        {"sort": "oldest"},
        {"page": "0"},
        {"page": "abc"},
        {"page": "-1"},
        {"page_size": "0"},
        {"page_size": "101"},
        {"page": "101", "page_size": "100"},  # past the first 10,000 results
        {"page": "99999999999999999999"},
        {"q": "长" * 201},
    ],
)
def test_bad_parameters_answer_400_with_a_json_error(client, library, params):
    response = client.get("/api/search/", params)
    assert response.status_code == 400
    assert response.json()["error"]


@pytest.mark.parametrize(
    "text",
    [
        '"',
        "'",
        "*",
        "停车*",
        "NEAR(停车 养老)",
        "{title}: 停车",
        "停车 AND OR NOT",
        "-停车",
        ":",
        "（）【】",
        "😀",
        "%_",
        "\\",
        "^停车",
    ],
)
def test_no_query_text_causes_a_server_error(client, library, text):
    assert client.get("/api/search/", {"q": text}).status_code == 200


def test_results_show_their_key_fields(client, library):
    [hit] = api(client, q="停车")["results"]
    assert hit["fields"] == {
        "region": ["四川省/成都市/武侯区"],
        "community_type": ["老旧院落"],
        "issue": ["停车难"],
    }
    html = client.get("/search/", {"q": "停车"}).content.decode()
    assert "<dt>地区</dt><dd>四川省/成都市/武侯区</dd>" in html and "<dt>议题</dt><dd>停车难</dd>" in html


def test_search_page_shows_removable_chips_with_labels(client, library):
    html = client.get("/search/", {"q": "停车", "type": "case", "issue": "停车难"}).content.decode()
    assert "类型：案例" in html and "议题：停车难" in html
    assert 'href="?q=%E5%81%9C%E8%BD%A6&amp;issue=' in html  # removing the type chip keeps the rest


def test_chip_links_are_the_query_without_that_one_value_and_the_page(client, library):
    """Each chip's link, built from parts encoded once, equals urlencode() of the query string
    without that value and without the page (parameters grouped by name, as QueryDict keeps them)."""
    pairs = [
        ("issue", "停车难"),
        ("q", "居民 议事&会"),
        ("type", "case"),
        ("issue", "宠物管理"),
        ("page", "1"),
        ("actor", "居民自组织"),
        ("type", "policy"),
        ("issue", "邻里互助"),
    ]
    response = client.get("/search/?" + urlencode(pairs))
    assert response.status_code == 200
    grouped = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    expected = {}
    for removed in pairs:
        if removed[0] not in ("q", "page"):
            kept = [
                (k, v) for k, values in grouped.items() for v in values if k != "page" and (k, v) != removed
            ]
            expected[removed[1]] = urlencode(kept)
    chips = {chip["value"]: chip["remove"] for chip in response.context["chips"]}
    labels = {"case": "案例", "policy": "政策"}
    assert chips == {labels.get(value, value): link for value, link in expected.items()}


def test_empty_query_lists_everything_with_facets(client, library):
    data = api(client)
    assert data["total"] == 5 and facet(data, "type")["case"] == (3, False)


def test_unpublish_delete_and_slug_change_keep_the_index_right(client, library, indexes):
    pets = library["pets"]
    pets.unpublish()
    assert "铲屎官小队" not in titles(api(client, q="宠物"))
    library["elderly"].delete()
    assert not SearchEntry.objects.filter(page_id=library["elderly"].pk).exists()
    assert "助老服务队" not in titles(api(client, q="助老"))
    index = indexes["case"]
    index.slug = "anli"
    index.save_revision().publish()
    assert api(client, q="停车")["results"][0]["url"].startswith("/anli/")


def test_drafts_are_not_indexed_until_published(client, library):
    page = library["parking"]
    page.title = "草稿标题"
    page.save_revision()
    assert titles(api(client, q="停车"))[0] == "老旧小区停车难的协商"
    page.get_latest_revision().publish()
    assert titles(api(client, q="停车"))[0] == "草稿标题"


def test_moving_a_page_updates_its_url(client, library, indexes, home):
    from kb.cases.models import CaseIndexPage

    other = home.add_child(instance=CaseIndexPage(title="另一个案例库", slug="more-cases"))
    library["parking"].move(other, pos="last-child")
    library["parking"].refresh_from_db()
    assert api(client, q="停车")["results"][0]["url"] == library["parking"].url
    assert library["parking"].url.startswith("/more-cases/")


def test_rebuild_command_restores_the_index(client, library):
    api(client)  # Elasticsearch gets what publishing the library queued
    for backend in index_backends():
        backend.clear()
    assert api(client)["total"] == 0
    call_command("rebuild_search_index", verbosity=0)
    assert api(client)["total"] == 5


def test_rebuild_reads_pages_in_a_fixed_number_of_queries(library, indexes, django_assert_num_queries):
    from kb.vocabularies.models import CommunityType, Region
    from search.documents import build_document
    from search.indexing import indexable_pages
    from tests.factories import CasePageFactory, publish

    def read_cases():
        return [build_document(page) for page in indexable_pages("case")]

    with django_assert_num_queries(5):  # view restrictions, pages, issues, actors, methods
        assert len(read_cases()) == 3
    for n in range(5):
        page = CasePageFactory(
            parent=indexes["case"],
            title=f"案例{n}",
            region=Region.get_or_create_path("四川省/成都市"),
            community_type=CommunityType.objects.get(name="商品房小区"),
            live=False,
        )
        publish(page)
    with django_assert_num_queries(5):  # the same, however many pages
        assert len(read_cases()) == 8
