"""On a phone (390×844) the results come first: filters behind 筛选 (with the number of active
filters), a 跳到结果 link, and focus kept where the user was after a chip's × or a tick.

The same on the search page and on the case index (kb.core.listing). The pixel figures of the demo
content are measured by tools/measure_phone_layout.py (docs/measurements.md); here the test only
holds the first result above the fold with a library that has many filter values.
"""

import re

import pytest

from kb.vocabularies.models import Actor, Issue, Method, Region
from tests.factories import CasePageFactory, publish

PHONE = {"width": 390, "height": 844}
FIRST_RESULT = ".hit .card__title a, .card-list .card__title a"
REGIONS = ["四川省/成都市/武侯区", "北京市/大兴区", "上海市/浦东新区", "江苏省/南通市/崇川区"]


@pytest.fixture
def library(indexes):
    """Twelve cases spread over many issues, places, actors and methods: some 40 filter boxes."""
    issues = list(Issue.objects.order_by("name"))
    actors = list(Actor.objects.order_by("name"))
    methods = list(Method.objects.order_by("name"))
    for number in range(12):
        page = CasePageFactory(
            parent=indexes["case"],
            title=f"社区协商案例{number + 1}",
            summary="居民协商定下规则。",
            live=False,
            region=Region.get_or_create_path(REGIONS[number % len(REGIONS)]),
            year_start=2000 + number,
        )
        page.issues = [issues[number % len(issues)], issues[(number + 5) % len(issues)]]
        page.actors = [actors[number % len(actors)]]
        page.methods = [methods[number % len(methods)]]
        publish(page)


def beijing_issue():
    """An issue of the second case, which is in 北京市/大兴区."""
    return Issue.objects.order_by("name")[1].name


def phone(new_page, javascript=True):
    return new_page(viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=javascript)


def first_result_top(page):
    return page.locator(FIRST_RESULT).first.evaluate("e => e.getBoundingClientRect().top + window.scrollY")


def focused(page):
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return e ? (e.id || e.getAttribute('aria-label') || e.name + '=' + e.value) : null; }"
    )


def filter_toggle(page):
    return page.locator("summary.filters__toggle")


def toggle_text(page):
    return re.sub(r"\s+", " ", filter_toggle(page).text_content()).strip()


def facet_box(page, facet, value):
    fieldset = page.locator(f'fieldset.facet[data-facet="{facet}"]')
    return fieldset.get_by_role("checkbox", name=re.compile(rf"^{re.escape(value)} \(\d+\)$"))


def tabs_until(page, selector_or_text, limit=120):
    """Tab presses until the focused element is the first result (or the link with that text)."""
    for count in range(1, limit + 1):
        page.keyboard.press("Tab")
        if selector_or_text == FIRST_RESULT:
            if page.evaluate(f"() => document.activeElement === document.querySelector({FIRST_RESULT!r})"):
                return count
        elif page.evaluate("() => document.activeElement.textContent.trim()") == selector_or_text:
            return count
    raise AssertionError(f"{selector_or_text} not reached in {limit} Tab presses")


@pytest.mark.parametrize("path", ["/search/?q=协商", "/cases/"], ids=["search", "case-index"])
def test_results_come_first_behind_a_filter_control(new_page, server_url, library, path):
    page = phone(new_page)
    page.goto(server_url + path)
    assert page.locator("fieldset.facet input[type=checkbox]").count() >= 30
    assert first_result_top(page) < PHONE["height"]  # on the first screen, before any filter
    assert toggle_text(page) == "筛选"
    assert not page.locator("fieldset.facet").first.is_visible()
    filter_toggle(page).click()
    assert page.locator("fieldset.facet").first.is_visible()


@pytest.mark.parametrize("path", ["/search/?q=协商", "/cases/"], ids=["search", "case-index"])
def test_skip_to_results_by_keyboard(new_page, server_url, library, path):
    page = phone(new_page)
    page.goto(server_url + path)
    tab_alone = tabs_until(page, FIRST_RESULT)
    page.goto(server_url + path)
    to_skip = tabs_until(page, "跳到结果")
    assert to_skip <= 2  # right after 跳到正文
    page.keyboard.press("Enter")
    assert focused(page) == "results"
    with_skip = to_skip + tabs_until(page, FIRST_RESULT)
    assert with_skip == to_skip + 1 < tab_alone


@pytest.mark.parametrize("path", ["/search/?q=协商", "/cases/"], ids=["search", "case-index"])
def test_focus_stays_after_a_tick_and_after_removing_a_chip(new_page, server_url, library, path):
    page = phone(new_page)
    page.goto(server_url + path)
    filter_toggle(page).click()
    region, issue = "北京市", beijing_issue()

    for facet, value in (("region", region), ("issue", issue)):
        facet_box(page, facet, value).focus()
        with page.expect_navigation():
            page.keyboard.press("Space")
        assert facet_box(page, facet, value).is_checked()
        assert focused(page) == f"{facet}={value}"  # the box, reopened behind 筛选
    assert toggle_text(page) == "筛选 (2)"
    assert page.locator("details.filters").evaluate("d => d.open")  # still open where the user is

    chips = page.locator(".chip a")
    assert chips.count() == 2
    first_label, second_label = (chips.nth(i).get_attribute("aria-label") for i in range(2))
    chips.first.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".chip a").count() == 1
    assert focused(page) == second_label != first_label  # the chip now in the removed one's place
    assert first_result_top(page) < PHONE["height"]  # the filters closed again: results first
    assert toggle_text(page) == "筛选 (1)"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".chip").count() == 0
    assert focused(page) == "results"  # no chip left: the results
    assert toggle_text(page) == "筛选"


def test_without_javascript_the_filters_open_and_apply_on_a_phone(new_page, server_url, library):
    page = phone(new_page, javascript=False)
    page.goto(f"{server_url}/cases/?issue={beijing_issue()}")
    assert toggle_text(page) == "筛选 (1)"
    assert first_result_top(page) < PHONE["height"]
    assert not page.get_by_role("button", name="应用筛选").is_visible()
    filter_toggle(page).click()
    facet_box(page, "region", "北京市").check()
    with page.expect_navigation():
        page.get_by_role("button", name="应用筛选").click()
    assert toggle_text(page) == "筛选 (2)"
    assert "region=" in page.url


def test_the_sort_applies_at_once_and_keeps_focus(new_page, server_url, library):
    page = phone(new_page)
    page.goto(f"{server_url}/cases/")
    years = page.locator(".card-list .card__title a").all_inner_texts()
    assert years[0] == "社区协商案例12"  # newest first
    with page.expect_navigation():
        page.get_by_label("排序").select_option("title")
    assert "sort=title" in page.url
    assert focused(page) == "listing-sort"
    assert page.locator(".card-list .card__title a").first.inner_text() == "社区协商案例1"
