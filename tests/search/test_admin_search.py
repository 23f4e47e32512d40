"""Wagtail's admin finds Chinese (search/wagtail_backend.py), through the real admin views."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.images import get_image_model
from wagtail.models import Collection, Page
from wagtail.search import index
from wagtail.search.backends import get_search_backend
from wagtail.search.query import PlainText
from wagtail_factories import DocumentFactory, ImageFactory

from benchmarks.relevance import STOCK_WAGTAIL_BACKEND, stock_wagtail_search
from kb.core.models import KnowledgePage
from kb.core.page_types import page_types
from kb.courses.models import ModuleTemplate
from search import schema
from tests.factories import CasePageFactory, IssueFactory, PrinciplePageFactory, publish


@pytest.fixture
def editor(client, db):
    user = get_user_model().objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(user)
    return client


def case(parent, title, summary="一个案例。", body="", live=True, slug=None):
    page = CasePageFactory(
        parent=parent,
        title=title,
        slug=slug or f"case-{Page.objects.count()}",
        summary=summary,
        live=False,
        body=[("section", {"kind": "background", "heading": "", "content": f"<p>{body}</p>"})]
        if body
        else [],
    )
    return publish(page) if live else page


@pytest.fixture
def pages(indexes):
    parent = indexes["case"]
    return {
        "parking": case(parent, "老旧小区停车难的协商", "居民议事会商定车位轮换规则。", "小区里停车位紧张。"),
        "elderly": case(parent, "助老服务队", "居民自发成立的互助队伍。", "队员每周探访独居老人。"),
        "owners": case(parent, "铲屎官小队", "从宠物选美到文明养宠。", "业主委员会支持小队的巡查。"),
        "draft": case(parent, "地下车库改建", "草稿：还没有发布。", "把闲置的地下室改成停车场。", live=False),
        "latin": case(parent, "开放空间会议 Open Space", "一种会议技术。"),
    }


def titles(objects):
    return [str(getattr(obj, "title", obj)) for obj in objects]


def page_search(client, q, **params):
    response = client.get(reverse("wagtailadmin_pages:search"), {"q": q, **params})
    assert response.status_code == 200
    return response


def page_search_titles(client, q, **params):
    return titles(page_search(client, q, **params).context["page_obj"].object_list)


def chooser_titles(client, q):
    response = client.get(reverse("wagtailadmin_choose_page_search"), {"q": q})
    assert response.status_code == 200
    return titles(response.context["pages"])


def test_a_chinese_word_is_found_inside_a_title(editor, pages):
    assert page_search_titles(editor, "停车") == ["老旧小区停车难的协商", "地下车库改建"]


def test_a_draft_that_was_never_published_is_found(editor, pages):
    assert not pages["draft"].live
    assert "地下车库改建" in page_search_titles(editor, "地下室")
    assert page_search_titles(editor, "地下室 live:false") == ["地下车库改建"]
    assert page_search_titles(editor, "地下室 live:true") == []


@pytest.mark.parametrize("query", ["业委会", "业主委员会"])
def test_an_abbreviation_finds_the_full_form_and_back(editor, pages, query):
    assert page_search_titles(editor, query) == ["铲屎官小队"]


def test_every_word_of_a_query_must_match(editor, pages):
    assert set(page_search_titles(editor, "居民")) == {"老旧小区停车难的协商", "助老服务队"}
    assert page_search_titles(editor, "居民 停车") == ["老旧小区停车难的协商"]
    assert page_search_titles(editor, "居民，老人") == ["助老服务队"]
    assert page_search_titles(editor, "停车 宠物") == []


def test_a_quoted_chinese_phrase_is_matched_too(editor, pages):
    assert page_search_titles(editor, '"车位轮换" 居民') == ["老旧小区停车难的协商"]


def test_a_latin_query_still_uses_the_stock_search(editor, pages):
    assert page_search_titles(editor, "open") == ["开放空间会议 Open Space"]
    assert page_search_titles(editor, "spa") == ["开放空间会议 Open Space"]  # autocomplete: a prefix
    assert page_search_titles(editor, "closed") == []


def test_a_latin_word_in_a_chinese_query_counts(editor, pages):
    assert page_search_titles(editor, "会议 space") == ["开放空间会议 Open Space"]
    assert page_search_titles(editor, "会议 closed") == []


def test_title_matches_come_first(editor, indexes):
    parent = indexes["case"]
    case(parent, "社区花园", body="花园旁边也能停车。")
    case(parent, "共享停车位", body="错时停车。")
    case(parent, "夜间停车管理", body="夜间停车、停车收费、停车巡逻。")
    # Among the titles that have the word, the page that uses it most comes first.
    assert page_search_titles(editor, "停车") == ["夜间停车管理", "共享停车位", "社区花园"]


def test_results_are_paginated_and_counted(editor, indexes):
    for number in range(23):
        case(indexes["case"], f"案例{number:02}：小区停车", slug=f"parking-{number}", live=number % 2 == 0)
    PrinciplePageFactory(parent=indexes["principle"], title="原则：停车也讲原则", slug="parking-principle")
    first = page_search(editor, "停车")
    assert first.context["paginator"].count == 24
    assert len(first.context["page_obj"].object_list) == 20
    second = page_search_titles(editor, "停车", p=2)
    assert len(second) == 4
    assert not set(second) & set(titles(first.context["page_obj"].object_list))
    # The page type filter counts what each type contributes.
    counts = {content_type.model: count for content_type, count in first.context["content_types"]}
    assert counts == {"casepage": 23, "principlepage": 1}
    only_principles = page_search_titles(editor, "停车", content_type="principles.principlepage")
    assert only_principles == ["原则：停车也讲原则"]


def test_an_explicit_ordering_replaces_relevance(editor, pages):
    assert page_search_titles(editor, "车") == ["老旧小区停车难的协商", "地下车库改建"]  # 车 twice, once
    assert page_search_titles(editor, "车", ordering="title") == ["地下车库改建", "老旧小区停车难的协商"]
    assert page_search_titles(editor, "车", ordering="-title") == ["老旧小区停车难的协商", "地下车库改建"]


def test_the_page_chooser_finds_chinese(editor, pages):
    assert chooser_titles(editor, "停车") == ["老旧小区停车难的协商", "地下车库改建"]
    assert chooser_titles(editor, "业委会") == ["铲屎官小队"]
    assert chooser_titles(editor, "open") == ["开放空间会议 Open Space"]


def test_the_page_explorer_search_finds_chinese(editor, pages, indexes):
    response = editor.get(reverse("wagtailadmin_explore", args=[indexes["case"].pk]), {"q": "停车"})
    assert response.status_code == 200
    assert titles(response.context["object_list"]) == ["老旧小区停车难的协商", "地下车库改建"]


def listed(client, url_name, q, context_name="object_list"):
    response = client.get(reverse(url_name), {"q": q})
    assert response.status_code == 200
    return titles(response.context[context_name])


def test_the_vocabulary_snippets_are_searchable_in_chinese(editor, db):
    IssueFactory(name="共享车位")
    IssueFactory(name="车棚改造")
    assert listed(editor, "wagtailsnippets_vocabularies_issue:list", "车位") == ["共享车位"]
    # The chooser an editor tags a page with.
    assert listed(editor, "wagtailsnippetchoosers_vocabularies_issue:choose_results", "车位", "results") == [
        "共享车位"
    ]


def test_images_and_documents_are_searchable_in_chinese(editor, db):
    root = Collection.get_first_root_node()
    ImageFactory(title="停车场平面图", collection=root)
    ImageFactory(title="社区花园", collection=root)
    DocumentFactory(title="停车收费公示", collection=root)
    DocumentFactory(title="议事规则", collection=root)
    assert listed(editor, "wagtailimages:index", "停车") == ["停车场平面图"]
    assert listed(editor, "wagtailimages_chooser:choose_results", "停车", "results") == ["停车场平面图"]
    assert listed(editor, "wagtaildocs:index", "停车") == ["停车收费公示"]
    assert listed(editor, "wagtaildocs_chooser:choose_results", "停车", "results") == ["停车收费公示"]
    # "Select all" in a bulk action searches a values_list() queryset.
    pks = get_image_model().objects.values_list("pk", flat=True).search("停车").results()
    assert list(pks) == [get_image_model().objects.get(title="停车场平面图").pk]


ODD_QUERIES = [
    '"',
    '"停车',
    "停车\"'",
    "AND",
    "停车 AND 居民",
    "停车 OR",
    "NOT 停车",
    "*",
    "停车*",
    "NEAR(",
    "NEAR(停车 居民)",
    "停车 -居民",
    "()",
    "^停车",
    "{title}: 停车",
    "title:停车",
    "%",
    "停%",
    "_",
    "\\",
    "。，、",
    "停车" * 100,
    # No Chinese: the stock backend's turn.
    "'",
    "it's",
    '"open',
    'open"space',
    "open AND",
    "NEAR(open",
    "open*",
    "-open",
]


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_odd_input_does_not_break_any_admin_search(editor, pages, query):
    page_search(editor, query)
    chooser_titles(editor, query)
    snippets = editor.get(reverse("wagtailsnippets_vocabularies_issue:list"), {"q": query})
    assert snippets.status_code == 200


def test_the_stock_baseline_stays_stock(pages):
    # The project's backend, "default", finds the live page about parking...
    assert [page.pk for page in Page.objects.live().search("停车")] == [pages["parking"].pk]
    # ...stock Wagtail, the baseline benchmarks/relevance.py compares against, cannot segment Chinese,
    assert stock_wagtail_search("停车", 10) == []
    # though it does work otherwise.
    assert stock_wagtail_search("open", 10) == ["case:" + pages["latin"].slug]
    assert type(get_search_backend(STOCK_WAGTAIL_BACKEND)).__module__.startswith("modelsearch.")


def test_the_backend_api_beyond_the_admin(pages):
    results = get_search_backend().search("停车 宠物", Page, operator="or").annotate_score("score")
    assert set(titles(results)) == {"老旧小区停车难的协商", "地下车库改建", "铲屎官小队"}
    assert all(page.score > 0 for page in results)
    assert titles(get_search_backend().search("停车", Page, fields=["title"])) == ["老旧小区停车难的协商"]
    assert titles(get_search_backend().search("停车", Page)[1:]) == ["地下车库改建"]
    without_estates = PlainText("停车") & ~PlainText("小区")
    assert titles(get_search_backend().search(without_estates, Page)) == ["地下车库改建"]


def admin_text_fields(model):
    """Every SearchField of the model's admin index, those of its relations included."""
    fields = []
    for field in model.get_search_fields():
        if isinstance(field, index.RelatedFields):
            fields.extend(f for f in field.fields if isinstance(f, index.SearchField))
        elif isinstance(field, index.SearchField):
            fields.append(field)
    return fields


@pytest.mark.parametrize(
    "model", [*(t.model for t in page_types()), ModuleTemplate], ids=lambda m: m.__name__
)
def test_every_admin_search_field_weighs_what_its_schema_column_weighs(model):
    fields = admin_text_fields(model)
    assert fields
    for field in fields:
        assert field.schema_column in schema.WEIGHTS, field.field_name
        assert field.boost == schema.WEIGHTS[field.schema_column], field.field_name
    [title] = [
        field
        for field in model.get_search_fields()
        if isinstance(field, index.SearchField) and field.field_name == "title"
    ]
    assert title.boost == schema.WEIGHTS["title"]
    if issubclass(model, KnowledgePage):
        [summary] = [field for field in fields if field.field_name == "summary"]
        assert summary.boost == schema.WEIGHTS["summary"]


def test_a_weight_changed_in_the_schema_is_the_admin_boost(monkeypatch):
    monkeypatch.setitem(schema.WEIGHTS, "terms", 7.5)
    [doc_number, issuers] = schema.admin_search_fields(terms=["doc_number", ("issuers", "name")])
    assert doc_number.boost == 7.5 and issuers.fields[0].boost == 7.5
    with pytest.raises(KeyError):
        schema.admin_search_fields(abstract=["summary"])  # not a column of the schema


def test_chinese_admin_search_scores_title_words_with_the_schema_weights(pages, monkeypatch):
    def scores():
        results = get_search_backend().search("停车", Page).annotate_score("score")
        return {page.title: page.score for page in results}

    before = scores()
    monkeypatch.setitem(schema.WEIGHTS, "title", schema.WEIGHTS["title"] * 3)
    after = scores()
    # 老旧小区停车难的协商 has 停车 in its title; 地下车库改建 only in its body
    assert after["老旧小区停车难的协商"] - before["老旧小区停车难的协商"] == pytest.approx(
        2 * schema.WEIGHTS["title"] / 3
    )
    assert after["地下车库改建"] == pytest.approx(before["地下车库改建"])
    assert after["老旧小区停车难的协商"] > after["地下车库改建"]


def _entry(page):
    from django.contrib.contenttypes.models import ContentType
    from wagtail.search.models import IndexEntry

    content_type = ContentType.objects.get_for_model(type(page))
    return IndexEntry.objects.filter(content_type=content_type, object_id=str(page.pk)).values(
        "title", "autocomplete", "body"
    )


def test_admin_index_rows_are_what_stock_wagtail_writes(indexes):
    """Reading each field once per write (ReadOnceSearchField) changes no row Wagtail writes."""
    from search.wagtail_backend import ReadOnceIndexMixin

    page = case(indexes["case"], "加装电梯的议事", "楼里居民商量加装电梯。", "三楼以上的住户出资更多。")
    backend = get_search_backend()
    if not isinstance(backend.get_index_for_model(type(page)), ReadOnceIndexMixin):
        pytest.skip("the admin index here is not one of Wagtail's database indexes")
    ours = list(_entry(page))
    our_index = backend.get_index_for_model(type(page))
    # Wagtail's own index class for this database (SQLite's or PostgreSQL's), without the mixin.
    stock_class = next(c for c in type(our_index).__mro__[1:] if not issubclass(c, ReadOnceIndexMixin))
    stock_class.add_items(our_index, type(page), [type(page).objects.get(pk=page.pk)])
    assert list(_entry(page)) == ours
    assert "三楼以上的住户出资更多" in str(ours[0]["body"])


def test_an_object_indexed_again_is_read_afresh(indexes):
    page = case(indexes["case"], "口袋公园", "闲置地改成口袋公园。", "居民一起设计。")
    page = type(page).objects.get(pk=page.pk)
    page.summary = "街角空地变成了儿童游戏场。"
    page.save()
    index.insert_or_update_object(page)
    assert "儿童游戏场" in _entry(page)[0]["body"]
    page.summary = "又改成了社区花园。"
    page.save()
    index.insert_or_update_object(page)
    assert "社区花园" in _entry(page)[0]["body"]
    assert "儿童游戏场" not in _entry(page)[0]["body"]
