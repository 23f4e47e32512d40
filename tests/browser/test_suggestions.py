"""Suggestions as you type, in a real browser: the header search box is a WAI-ARIA combobox.

What the list shows is checked against /api/search/suggest/ for the same text, and the pages the
test published (so both cannot be wrong together); without JavaScript the box is a plain form.
"""

import re

import pytest

from kb.vocabularies.models import Issue, Region
from tests.factories import CasePageFactory, publish

TITLES = ["成都社区停车公约", "成都社区花园营造", "南通楼道停车议事"]


@pytest.fixture
def library(indexes):
    for title in TITLES:
        page = CasePageFactory(
            parent=indexes["case"], title=title, live=False, region=Region.get_or_create_path("四川省/成都市")
        )
        page.issues = [Issue.objects.get(name="停车难")] if "停车" in title else []
        publish(page)
    return TITLES


def suggestion_box(page):
    return page.locator("#header-q")


def api_suggestions(page, server_url, text):
    response = page.request.get(f"{server_url}/api/search/suggest/", params={"q": text})
    assert response.ok, response.text()
    return response.json()["suggestions"]


def listed(page):
    """The options shown, as (text, type label) pairs, once the list is open."""
    listbox = page.get_by_role("listbox", name="搜索建议")
    listbox.wait_for(state="visible")
    return [
        (
            option.evaluate("node => node.firstChild.textContent"),
            option.locator(".suggestions__type").inner_text(),
        )
        for option in listbox.get_by_role("option").all()
    ]


@pytest.mark.parametrize("typed", ["成都社", "chengdushe", "cdsq", "tingche"])
def test_typing_lists_what_the_api_suggests(page, server_url, library, typed):
    page.goto(f"{server_url}/cases/")
    box = suggestion_box(page)
    assert box.get_attribute("role") == "combobox"
    box.press_sequentially(typed, delay=20)
    expected = api_suggestions(page, server_url, typed)
    assert expected, f"the API suggests nothing for {typed!r}"
    page.wait_for_function(
        "n => document.querySelectorAll('#suggestions-0 [role=option]').length === n", arg=len(expected)
    )
    shown = listed(page)
    assert [text for text, _ in shown] == [s["text"] for s in expected]
    # What was published is offered: the titles spelled by the prefix, in characters or pinyin.
    titles = {text for text, label in shown if label == "案例"}
    wanted = {t for t in TITLES if t.startswith("成都社")} if typed != "tingche" else set()
    assert wanted <= titles
    if typed == "tingche":
        assert ("停车难", "议题") in shown
    assert box.get_attribute("aria-expanded") == "true"
    assert "条建议" in page.get_by_role("status").filter(has_text="条建议").inner_text()


def test_keyboard_moves_through_the_list_and_opens_the_highlighted_suggestion(page, server_url, library):
    page.goto(f"{server_url}/cases/")
    box = suggestion_box(page)
    box.press_sequentially("cdsq", delay=20)
    expected = api_suggestions(page, server_url, "cdsq")
    assert len(expected) >= 2
    listed(page)
    box.press("ArrowDown")
    box.press("ArrowDown")
    second = page.locator("#suggestions-0-1")
    assert box.get_attribute("aria-activedescendant") == "suggestions-0-1"
    assert second.get_attribute("aria-selected") == "true"
    box.press("ArrowUp")
    assert box.get_attribute("aria-activedescendant") == "suggestions-0-0"
    box.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"
    assert page.get_by_role("listbox", name="搜索建议").is_hidden()
    box.press("ArrowDown")  # reopens the list for the same text
    listed(page)
    box.press("ArrowDown")
    with page.expect_navigation():
        box.press("Enter")
    assert page.url == f"{server_url}{expected[0]['url']}"
    assert page.locator("h1").inner_text() == expected[0]["text"]


def test_enter_without_a_highlighted_suggestion_submits_the_search(page, server_url, library):
    page.goto(f"{server_url}/cases/")
    box = suggestion_box(page)
    box.press_sequentially("停车", delay=20)
    listed(page)
    with page.expect_navigation():
        box.press("Enter")
    assert re.search(r"/search/\?q=%E5%81%9C%E8%BD%A6$", page.url)


def test_without_javascript_the_box_is_a_plain_search_form(new_page, server_url, library):
    page = new_page(java_script_enabled=False)
    page.goto(f"{server_url}/cases/")
    box = page.get_by_role("searchbox", name="搜索知识库")
    assert box.get_attribute("role") is None
    box.fill("tingche")
    with page.expect_navigation():
        box.press("Enter")
    assert page.url.endswith("/search/?q=tingche")
    assert page.get_by_role("listbox").count() == 0
    titles = page.locator(".hit .card__title a").all_inner_texts()
    assert set(titles) == {t for t in TITLES if "停车" in t}
