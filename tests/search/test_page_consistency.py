"""What every page writes the same way (issue 15, item 8): one labelled search landmark, regions
as 省/市/区 paths, a quoted name or query quoted once."""

import re

import pytest

from kb.core.quoting import quote
from kb.vocabularies.models import Region
from tests.factories import CasePageFactory, CoursePageFactory, PrinciplePageFactory, publish

SEARCH_LANDMARK = re.compile(r"<(?:search\b[^>]*|[a-z]+\b[^>]*\brole=\"search\"[^>]*)>")


def search_landmarks(html):
    return SEARCH_LANDMARK.findall(html)


@pytest.fixture
def every_kind_of_page(library, indexes, home):
    course = publish(CoursePageFactory(parent=indexes["course"], title="参与式社区服务培训", live=False))
    return {
        "home": home.url,
        **{f"{key} index": page.url for key, page in indexes.items()},
        "case": library["parking"].url,
        "policy": library["regulation"].url,
        "principle": library["principle"].url,
        "course": course.url,
        "search": "/search/?q=停车",
        "empty search": "/search/",
        "compare": f"/compare/?pages={library['parking'].slug}&pages={library['pets'].slug}",
        "contribute": "/contribute/",
        "not found": "/no-such-page/",
    }


def test_every_page_has_one_labelled_search_landmark(client, every_kind_of_page):
    for name, url in every_kind_of_page.items():
        response = client.get(url)
        assert response.status_code in (200, 404), (name, response.status_code)
        landmarks = search_landmarks(response.content.decode())
        assert len(landmarks) == 1, (name, landmarks)
        assert 'aria-label="搜索知识库"' in landmarks[0], (name, landmarks[0])


def regions_shown(html):
    """Every place name run written on the page (四川省/成都市, 四川省成都市, 四川省 / 成都市 …)."""
    return set(re.findall(r"(?:四川省|北京市)(?:\s*[/／·、]?\s*(?:成都市|武侯区|大兴区))+", html))


def test_regions_are_written_as_one_path_everywhere(client, library, indexes):
    pages = {
        "case page and its similar cases": library["parking"].url,
        "policy page": library["regulation"].url,
        "case cards": indexes["case"].url,
        "search hits and facets": "/search/?q=居民&region=四川省/成都市",
        "compare": f"/compare/?pages={library['parking'].slug}&pages={library['pets'].slug}",
    }
    allowed = {"四川省/成都市", "四川省/成都市/武侯区", "北京市/大兴区"}
    for name, url in pages.items():
        shown = regions_shown(client.get(url).content.decode())
        assert shown, name
        assert shown <= allowed, (name, shown - allowed)
    hits = client.get("/search/", {"q": "停车"}).content.decode()
    assert "<dd>四川省/成都市/武侯区</dd>" in hits
    similar = client.get(library["pets"].url).content.decode().split('id="similar-heading"', 1)[1]
    places = re.findall(r'<span class="similar__meta">([^<·]*?)(?: · |</span>)', similar)
    assert places and set(places) <= allowed, places


def test_the_region_facet_and_page_meta_use_the_same_path(client, library):
    facet = client.get("/search/", {"region": "四川省/成都市"}).content.decode()
    assert re.search(r'value="四川省/成都市" checked>\s*四川省/成都市 <span class="facet__count">', facet)
    meta = client.get(library["pets"].url).content.decode()
    assert re.search(r"<dt>地区</dt><dd><a [^>]*>四川省/成都市</a></dd>", meta)


DOUBLED = re.compile(r"[“‘\"]{2}|[”’\"]{2}|“‘[^”’]*’”")


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ("停车", "“停车”"),
        ("“停车”", "“停车”"),
        ("‘停车’", "“停车”"),
        ('"停车"', "“停车”"),
        ("南通社区微治理“六微”", "“南通社区微治理‘六微’”"),
        ('"共享 停车" 议事', "“‘共享 停车’ 议事”"),
    ],
)
def test_a_value_is_quoted_once(value, quoted):
    assert quote(value) == quoted


def test_generated_headings_never_double_quotes(client, indexes, library):
    group = "南通社区微治理“六微”"
    first, _ = (
        publish(PrinciplePageFactory(parent=indexes["principle"], title=title, group=group, live=False))
        for title in ("微机制", "微组织")
    )
    html = client.get(first.url).content.decode()
    assert "同属“南通社区微治理‘六微’”的其他原则" in html
    for query in ("“停车”", "‘停车’", '"停车"'):
        html = client.get("/search/", {"q": query, "issue": "停车难"}).content.decode()
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
        assert title.startswith("“停车”的搜索结果"), (query, title)
        assert not DOUBLED.search(title), title
    case = publish(
        CasePageFactory(
            parent=indexes["case"],
            title="一个“问题社区”的转变",
            live=False,
            region=Region.get_or_create_path("四川省/成都市"),
        )
    )
    html = client.get("/search/", {"q": "“问题社区”"}).content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title.startswith("“问题社区”的搜索结果") and case.title in html
