"""The date a reader dates a page by (issue 15, item 2), on each backend.

A case is dated by its years, a policy by its 发布日期 (else its 施行日期), a principle or course by
nothing: never by the day it was imported. `sort=newest` orders by that date, undated pages last,
and by first publication only among equal dates; the home page's 最新案例 follow the same order.
"""

import datetime
import re

import pytest
from wagtail.models import Page

from search import indexing
from search.documents import build_document
from tests.factories import CasePageFactory, PolicyPageFactory, PrinciplePageFactory, publish
from tests.search.helpers import api, titles

UTC = datetime.UTC


def published_on(page, *when):
    Page.objects.filter(pk=page.pk).update(first_published_at=datetime.datetime(*when, tzinfo=UTC))


@pytest.fixture
def dated(indexes, search_backend):
    """Pages whose publication times contradict their dates, and two cases of the same year whose
    publication order contradicts their ids. Every summary says 社区, for searches with a query."""

    def case(title, year_start=None, year_end=None):
        return publish(
            CasePageFactory(
                parent=indexes["case"],
                title=title,
                summary="社区的案例。",
                live=False,
                year_start=year_start,
                year_end=year_end,
            )
        )

    def policy(title, issued_on="", effective_on=""):
        return publish(
            PolicyPageFactory(
                parent=indexes["policy"],
                title=title,
                summary="社区的政策。",
                live=False,
                issued_on=issued_on,
                effective_on=effective_on,
            )
        )

    pages = {
        "case_2019_first": case("二〇一九年起的案例甲", 2019),
        "case_2019_second": case("二〇一九年起的案例乙", 2019),
        "case_range": case("二〇一五至二〇一八年的案例", 2015, 2018),
        "case_undated": case("没有年份的案例"),
        "policy_issued": policy("只有发布日期的政策", issued_on="2018-06"),
        "policy_effective": policy("只有施行日期的政策", effective_on="2020-01-01"),
        "policy_both": policy("两个日期都有的政策", issued_on="2016-12-30", effective_on="2017-03-01"),
        "policy_undated": policy("没有日期的政策"),
        "principle": publish(
            PrinciplePageFactory(
                parent=indexes["principle"], title="社区的原则", summary="社区的原则。", live=False
            )
        ),
    }
    # The dated pages were published long ago, the undated ones lately (the old fallback put those
    # first); the first 2019 case was published before the second one, though its id is lower.
    published_on(pages["case_2019_first"], 2025, 3, 1)
    published_on(pages["case_2019_second"], 2025, 3, 2)
    published_on(pages["case_range"], 2025, 1, 1)
    published_on(pages["policy_issued"], 2025, 1, 2)
    published_on(pages["policy_effective"], 2025, 1, 3)
    published_on(pages["policy_both"], 2025, 1, 4)
    published_on(pages["case_undated"], 2026, 6, 1)
    published_on(pages["policy_undated"], 2026, 6, 3)
    published_on(pages["principle"], 2026, 6, 2)
    indexing.update_pages([page.pk for page in pages.values()])
    return {key: page.specific_class.objects.get(pk=page.pk) for key, page in pages.items()}


NEWEST = [
    "只有施行日期的政策",  # 2020-01-01
    "二〇一九年起的案例乙",  # 2019, published 2025-03-02
    "二〇一九年起的案例甲",  # 2019, published 2025-03-01
    "只有发布日期的政策",  # 2018-06
    "二〇一五至二〇一八年的案例",  # 2018
    "两个日期都有的政策",  # 2016-12-30
    "没有日期的政策",  # undated, published 2026-06-03
    "社区的原则",  # undated, published 2026-06-02
    "没有年份的案例",  # undated, published 2026-06-01
]


def test_newest_orders_by_the_readers_date_with_undated_pages_last(client, dated, search_backend):
    data = api(client, sort="newest")
    assert data["backend"] == search_backend
    assert titles(data) == NEWEST


def test_newest_keeps_that_order_with_a_query_and_a_filter(client, dated):
    assert titles(api(client, q="社区", sort="newest")) == NEWEST
    cases = [title for title in NEWEST if "案例" in title]
    assert titles(api(client, type="case", sort="newest")) == cases
    assert titles(api(client, type="case", sort="newest", page_size=2, page=2)) == cases[2:4]


def test_equal_dates_are_ordered_by_first_publication_newest_first(client, dated):
    newest = titles(api(client, type="case", year="2019", sort="newest"))
    assert newest == ["二〇一九年起的案例乙", "二〇一九年起的案例甲"]  # not by id
    published_on(dated["case_2019_first"], 2025, 3, 3)
    indexing.update_pages([dated["case_2019_first"].pk])
    newest = titles(api(client, type="case", year="2019", sort="newest"))
    assert newest == ["二〇一九年起的案例甲", "二〇一九年起的案例乙"]


def test_results_carry_the_readers_date_and_its_label(client, dated):
    shown = {r["title"]: (r["date"], r["date_label"]) for r in api(client, page_size=100)["results"]}
    assert shown == {
        "二〇一九年起的案例甲": ("2019", "2019年起"),
        "二〇一九年起的案例乙": ("2019", "2019年起"),
        "二〇一五至二〇一八年的案例": ("2018", "2015—2018年"),
        "没有年份的案例": ("", ""),
        "只有发布日期的政策": ("2018-06", "发布日期：2018年6月"),
        "只有施行日期的政策": ("2020-01-01", "施行日期：2020年1月1日"),
        "两个日期都有的政策": ("2016-12-30", "发布日期：2016年12月30日"),
        "没有日期的政策": ("", ""),
        "社区的原则": ("", ""),
    }


def test_a_policy_dated_by_its_effective_date_is_found_under_that_year(client, dated):
    assert titles(api(client, year="2020")) == ["只有施行日期的政策"]


def test_the_import_day_is_never_a_pages_date(dated):
    for key in ("case_undated", "policy_undated", "principle"):
        document = build_document(dated[key])
        assert (document.date, document.date_label) == ("", "")
        assert document.published_at.startswith("2026-06-0")  # kept only to order equal dates


def hit_dates(html):
    """{title: the date shown with the hit, or None} of a search page."""
    shown = {}
    for hit in re.findall(r'<li class="hit">(.*?)</li>', html, re.S):
        title = re.search(r'<h3 class="card__title"><a href="[^"]*">([^<]*)</a>', hit).group(1)
        date = re.search(r'<span class="hit__date">([^<]*)</span>', hit)
        shown[title] = date.group(1) if date else None
    return shown


def test_the_search_page_shows_the_labelled_date(client, dated):
    html = client.get("/search/", {"sort": "newest"}).content.decode()
    shown = hit_dates(html)
    assert list(shown) == NEWEST
    assert shown["二〇一九年起的案例甲"] == "2019年起"
    assert shown["只有发布日期的政策"] == "发布日期：2018年6月"
    assert shown["只有施行日期的政策"] == "施行日期：2020年1月1日"
    assert shown["社区的原则"] is None and shown["没有年份的案例"] is None
    today = datetime.date.today()
    assert f"{today.year}年{today.month}月{today.day}日" not in html and today.isoformat() not in html


def card_dates(html):
    """{title: the date shown on the card, or None} of a page listing cards."""
    shown = {}
    for card in re.findall(r'<article class="card card--\w+">(.*?)</article>', html, re.S):
        title = re.search(r'class="card__title"><a href="[^"]*">([^<]*)</a>', card).group(1)
        date = re.search(r'<li class="card__date">([^<]*)</li>', card)
        shown[title] = date.group(1) if date else None
    return shown


def test_cards_show_the_labelled_date(client, dated, indexes):
    cases = card_dates(client.get(indexes["case"].url).content.decode())
    assert cases["二〇一五至二〇一八年的案例"] == "2015—2018年"
    assert cases["没有年份的案例"] is None
    policies = card_dates(client.get(indexes["policy"].url).content.decode())
    assert policies["只有发布日期的政策"] == "发布日期：2018年6月"
    assert policies["只有施行日期的政策"] == "施行日期：2020年1月1日"
    assert policies["没有日期的政策"] is None
    principles = card_dates(client.get(indexes["principle"].url).content.decode())
    assert principles == {"社区的原则": None}


def test_the_home_pages_newest_cases_follow_sort_newest(client, dated, home):
    html = client.get(home.url).content.decode()
    recent = html.split('id="recent-heading"', 1)[1]
    listed = list(card_dates(recent))
    assert listed == titles(api(client, type="case", sort="newest"))
    assert listed == [title for title in NEWEST if "案例" in title]
    assert card_dates(recent)["二〇一九年起的案例乙"] == "2019年起"


def test_the_home_page_reads_a_fixed_number_of_queries(
    client, dated, home, indexes, django_assert_max_num_queries
):
    client.get(home.url)  # warm what is cached per process
    with django_assert_max_num_queries(40) as few:
        client.get(home.url)
    for n in range(12):
        publish(
            CasePageFactory(parent=indexes["case"], title=f"更多案例{n}", live=False, year_start=2000 + n)
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(home.url).content.decode()
    assert list(card_dates(html.split('id="recent-heading"', 1)[1]))[:3] == [
        "二〇一九年起的案例乙",
        "二〇一九年起的案例甲",
        "二〇一五至二〇一八年的案例",
    ]


def test_the_newest_of_a_type_are_read_along_an_index(db):
    """At any size of site, 最新案例 read a few index entries, never sort every page."""
    from django.db import connection

    from search.matching import newest_entries

    if connection.vendor != "sqlite":
        pytest.skip("the plan is read on SQLite (PostgreSQL picks a scan for a small table)")
    plan = newest_entries("case").values_list("page_id", flat=True)[:6].explain()
    assert "search_entry_newest" in plan and "TEMP B-TREE" not in plan, plan
