"""The course index filters by audience, duration and issue with plain GET parameters."""

import pytest

from kb.vocabularies.models import Audience, Issue
from tests.factories import CourseModuleFactory, CoursePageFactory, publish


@pytest.fixture
def catalogue(indexes):
    def make(title, minutes, audience, issue):
        page = CoursePageFactory(parent=indexes["course"], title=title)
        page.audience = [Audience.objects.get(name=audience)]
        page.issues = [Issue.objects.get(name=issue)]
        page.modules = [CourseModuleFactory.build(title=f"{title}单元", minutes=m) for m in minutes]
        return publish(page)

    make("晚间议事课", [90, 60], "居民", "停车难")
    make("一日工作坊", [180, 180], "社区骨干", "停车难")
    make("两天培训", [360, 360], "居委会工作人员", "养老服务")
    return indexes["course"]


def titles(response):
    return [item.title for item in response.context["items"]]


def test_without_filters_every_course_is_listed(client, catalogue):
    response = client.get(catalogue.url)
    assert sorted(titles(response)) == ["一日工作坊", "两天培训", "晚间议事课"]
    assert "筛选课程" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("audience=居民", ["晚间议事课"]),
        ("audience=居民&audience=社区骨干", ["一日工作坊", "晚间议事课"]),
        ("duration=half-day", ["晚间议事课"]),
        ("duration=day", ["一日工作坊"]),
        ("duration=multi-day", ["两天培训"]),
        ("duration=half-day&duration=multi-day", ["两天培训", "晚间议事课"]),
        ("issue=停车难", ["一日工作坊", "晚间议事课"]),
        ("issue=停车难&duration=day", ["一日工作坊"]),
        ("issue=停车难&audience=居委会工作人员", []),
        ("duration=forever", ["一日工作坊", "两天培训", "晚间议事课"]),
    ],
)
def test_filters(client, catalogue, query, expected):
    assert sorted(titles(client.get(f"{catalogue.url}?{query}"))) == sorted(expected)


def test_option_counts_keep_the_other_filters(client, catalogue):
    filters = client.get(f"{catalogue.url}?issue=停车难").context["filters"]
    durations = {o["value"]: o["count"] for o in filters.duration_options}
    assert durations == {"half-day": 1, "day": 1, "multi-day": 0}
    issues = {o["value"]: (o["count"], o["selected"]) for o in filters.issue_options}
    assert issues["停车难"] == (2, True) and issues["养老服务"] == (1, False)


def test_filter_form_works_without_javascript(client, catalogue):
    html = client.get(f"{catalogue.url}?audience=居民").content.decode()
    assert 'method="get"' in html and 'name="audience" value="居民" checked' in html
    assert "清除筛选" in html and html.count("<h1") == 1
