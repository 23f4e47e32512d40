"""/search/ in a real browser: query, two facets, remove a chip, page forward — with and without JS.

What the page shows is checked twice: against the JSON API for the same query string (the page and
the API must agree on totals, hits and facet counts), and against the library the test published
(so both cannot be wrong together). No number is written down here: each comes from the library.
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest

from kb.cases.models import CasePage
from kb.vocabularies.models import Issue, Region
from tests.factories import CasePageFactory, publish

QUERY = "协商"
PAGE_SIZE = 4


@dataclass(frozen=True)
class Spec:
    title: str
    issue: str
    region: str
    matches: bool  # whether its text contains QUERY

    def regions(self):
        parts = self.region.split("/")
        return {"/".join(parts[: i + 1]) for i in range(len(parts))}


def _specs():
    specs, number = [], 0
    for issue, region, matching, other in (
        ("停车难", "四川省/成都市/武侯区", 3, 2),
        ("停车难", "北京市/大兴区", 3, 0),
        ("养老服务", "四川省/成都市", 2, 1),
        ("噪音扰民", "北京市/大兴区", 1, 0),
    ):
        for matches in [True] * matching + [False] * other:
            number += 1
            place = region.split("/")[-1]
            specs.append(Spec(f"{place}{issue}案例第{number}号", issue, region, matches))
    return specs


SPECS = _specs()


@pytest.fixture
def library(indexes):
    """The cases of SPECS, published (which indexes them) and committed for the live server."""
    for spec in SPECS:
        summary = (
            f"居民围绕{spec.issue}反复{QUERY}，定下规则。" if spec.matches else f"关于{spec.issue}的记录。"
        )
        page = CasePageFactory(
            parent=indexes["case"],
            title=spec.title,
            summary=summary,
            live=False,
            region=Region.get_or_create_path(spec.region),
        )
        page.issues = [Issue.objects.get(name=spec.issue)]
        publish(page)
    assert CasePage.objects.live().count() == len(SPECS)
    return SPECS


def expected_titles(issue=None, region=None):
    return {
        s.title
        for s in SPECS
        if s.matches and (issue is None or s.issue == issue) and (region is None or region in s.regions())
    }


def shown(page):
    """What the page shows: total, hit titles, chips, facet checkboxes with counts, page x/y."""
    status = page.locator(".result-count").inner_text()
    total = re.search(r"找到 (\d+) 条结果", status)
    facets = {}
    for fieldset in page.locator("fieldset.facet").all():
        values = {}
        for item in fieldset.locator("li").all():
            box = item.locator("input[type=checkbox]")
            count = re.search(r"\((\d+)\)", item.locator(".facet__count").inner_text()).group(1)
            values[box.get_attribute("value")] = (int(count), box.is_checked())
        facets[fieldset.get_attribute("data-facet")] = values
    return {
        "total": int(total.group(1)) if total else 0,
        "titles": page.locator(".hit .card__title a").all_inner_texts(),
        "chips": [re.sub(r"\s*×$", "", chip).strip() for chip in page.locator(".chip").all_inner_texts()],
        "facets": facets,
        "status": status,
    }


def api_for(page, server_url):
    """The JSON API's answer for the query string of the page the browser is on."""
    query = urlsplit(page.url).query
    response = page.request.get(f"{server_url}/api/search/?{query}")
    assert response.ok, response.text()
    return response.json()


def assert_agrees_with_api(page, server_url):
    """The page and /api/search/ agree for the same query string; returns what the page shows."""
    state = shown(page)
    data = api_for(page, server_url)
    assert state["total"] == data["total"]
    assert state["titles"] == [r["title"] for r in data["results"]]
    assert state["facets"] == {
        name: {v["value"]: (v["count"], v["selected"]) for v in values}
        for name, values in data["facets"].items()
    }
    selected = [v["label"] for values in data["facets"].values() for v in values if v["selected"]]
    assert [chip.split("：", 1)[1] for chip in state["chips"]] == selected
    return state


def params(page):
    return parse_qs(urlsplit(page.url).query)


def facet_box(page, facet, value):
    """A facet checkbox, found as a user finds it: by its label, in its fieldset."""
    fieldset = page.locator(f'fieldset.facet[data-facet="{facet}"]')
    return fieldset.get_by_role("checkbox", name=re.compile(rf"^{re.escape(value)} \(\d+\)$"))


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_query_two_facets_remove_a_chip_and_page_forward(new_page, server_url, library, javascript):
    page = new_page(java_script_enabled=javascript)
    issue, region = "停车难", "四川省"

    page.goto(f"{server_url}/search/?page_size={PAGE_SIZE}")
    apply = page.get_by_role("button", name="应用筛选")
    # With JavaScript a tick applies at once, so the button is hidden; without it, it is the way.
    assert apply.is_visible() is not javascript

    # Type a query and submit it as a user does: Enter in the search box.
    search_box(page).fill(QUERY)
    with page.expect_navigation():
        search_box(page).press("Enter")
    assert params(page)["q"] == [QUERY]
    state = assert_agrees_with_api(page, server_url)
    assert state["total"] == len(expected_titles())
    assert state["chips"] == []
    hits = page.locator(".hit")
    for index in range(hits.count()):  # type badge and the query highlighted in the snippet
        assert hits.nth(index).locator(".badge").inner_text() == "案例"
        assert hits.nth(index).locator(".hit__snippet mark").first.inner_text() == QUERY

    # Tick an issue and a region.
    if javascript:
        for facet, value in (("issue", issue), ("region", region)):
            with page.expect_navigation():
                facet_box(page, facet, value).click()
            box = facet_box(page, facet, value)
            assert box.is_checked()
            assert box.evaluate("box => box === document.activeElement")  # focus stays on the facet
    else:
        facet_box(page, "issue", issue).check()
        facet_box(page, "region", region).check()
        with page.expect_navigation():
            apply.click()
    assert params(page)["issue"] == [issue]
    assert params(page)["region"] == [region]
    assert params(page)["page_size"] == [str(PAGE_SIZE)]
    narrow = assert_agrees_with_api(page, server_url)
    assert narrow["chips"] == [f"议题：{issue}", f"地区：{region}"]
    assert set(narrow["titles"]) == expected_titles(issue, region)
    assert narrow["total"] == len(expected_titles(issue, region))
    assert facet_box(page, "issue", issue).is_checked()
    assert facet_box(page, "region", region).is_checked()

    # Remove the region chip: it is gone, and the results widen to the issue alone.
    with page.expect_navigation():
        page.get_by_role("link", name=f"去掉筛选 地区：{region}").click()
    assert "region" not in params(page)
    wide = assert_agrees_with_api(page, server_url)
    assert wide["chips"] == [f"议题：{issue}"]
    assert not facet_box(page, "region", region).is_checked()
    assert wide["total"] == len(expected_titles(issue)) > narrow["total"]
    assert len(wide["titles"]) == PAGE_SIZE < wide["total"]  # more than one page
    assert "第 1/2 页" in wide["status"]

    # Page forward: different results, the same filters and query.
    with page.expect_navigation():
        page.get_by_role("navigation", name="分页").get_by_role("link", name="下一页").click()
    assert params(page)["page"] == ["2"]
    assert params(page)["q"] == [QUERY]
    assert params(page)["issue"] == [issue]
    second = assert_agrees_with_api(page, server_url)
    assert second["chips"] == [f"议题：{issue}"]
    assert facet_box(page, "issue", issue).is_checked()
    assert "第 2/2 页" in second["status"]
    assert not set(second["titles"]) & set(wide["titles"])
    assert set(second["titles"]) | set(wide["titles"]) == expected_titles(issue)
    assert page.get_by_role("link", name="上一页").is_visible()
    assert page.get_by_role("link", name="下一页").count() == 0


def test_no_results_suggests_removing_the_filter(new_page, server_url, library):
    """The zero-results state, reached by plain form submission (no JavaScript)."""
    page = new_page(java_script_enabled=False)
    page.goto(f"{server_url}/search/?q={QUERY}&issue=噪音扰民")
    assert shown(page)["total"] == len(expected_titles("噪音扰民")) > 0
    search_box(page).fill("养老")  # no noise case mentions it
    with page.expect_navigation():
        page.get_by_role("button", name="搜索", exact=True).click()
    assert api_for(page, server_url)["total"] == 0
    assert "没有找到符合条件的内容" in page.locator(".result-count").inner_text()
    with page.expect_navigation():
        page.locator(".empty-state").get_by_role("link", name="去掉筛选“议题：噪音扰民”").click()
    assert "issue" not in params(page)
    assert params(page)["q"] == ["养老"]
    state = assert_agrees_with_api(page, server_url)
    assert state["total"] == len({s.title for s in SPECS if s.issue == "养老服务"})


def search_box(page):
    """The search field: a combobox once static/js/suggest.js offers suggestions, else a searchbox."""
    return page.get_by_role("combobox", name="搜索词").or_(page.get_by_role("searchbox", name="搜索词")).first
