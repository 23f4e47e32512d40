"""The anonymous page cache: served again while nothing changed, never stale after a change, never personal."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from kb.operations.page_cache import CACHE_ALIAS
from tests.factories import CasePageFactory, publish


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 60
    caches[CACHE_ALIAS].clear()
    yield
    caches[CACHE_ALIAS].clear()


@pytest.fixture
def case(indexes):
    return publish(CasePageFactory(parent=indexes["case"], title="共享停车的小区", slug="parking"))


def test_a_page_is_rendered_once_then_served_from_the_cache(client, case):
    first = client.get(case.url)
    assert first["X-Page-Cache"] == "miss"
    with CaptureQueriesContext(connection) as queries:
        second = client.get(case.url)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert len(queries) == 1  # the content's generation, nothing else


def test_a_publish_is_seen_at_once(client, case):
    client.get(case.url)
    case.title = "共享停车的小区（修订）"
    publish(case)
    response = client.get(case.url)
    assert response["X-Page-Cache"] == "miss"
    assert "共享停车的小区（修订）" in response.content.decode()


def test_a_search_follows_the_index(client, case, indexes):
    before = client.get("/api/search/", {"q": "停车"}).json()["total"]
    publish(CasePageFactory(parent=indexes["case"], title="停车难的老旧院落", slug="old-yard"))
    after = client.get("/api/search/", {"q": "停车"})
    assert after["X-Page-Cache"] == "miss"
    assert after.json()["total"] == before + 1


def test_a_page_made_private_is_not_served_from_the_cache(client, case):
    assert client.get(case.url).status_code == 200
    PageViewRestriction.objects.create(page=case, restriction_type=PageViewRestriction.LOGIN)
    response = client.get(case.url)
    assert response.status_code == 302  # to the login page, not the cached copy


def test_a_signed_in_reader_never_gets_a_cached_page(client, case, django_user_model):
    client.get(case.url)
    user = django_user_model.objects.create_user("reader", password="pw")
    client.force_login(user)
    response = client.get(case.url)
    assert "X-Page-Cache" not in response


def test_answers_that_set_a_cookie_or_fail_are_not_kept(client, case):
    contribute = client.get("/contribute/")
    assert "X-Page-Cache" not in contribute
    missing = client.get("/cases/no-such-case/")
    assert missing.status_code == 404 and "X-Page-Cache" not in missing
    assert "X-Page-Cache" not in client.get("/healthz")


def test_the_cache_can_be_turned_off(client, case, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client.get(case.url)
    assert "X-Page-Cache" not in client.get(case.url)
