"""What only the Elasticsearch backend has: the versioned index behind an alias, the client's
plain-JSON option, and publishing while the cluster is down (the outbox and the fallback)."""

import socket
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from elasticsearch import ApiError

from search import health, indexing
from search.backends.database import DatabaseBackend
from search.backends.elasticsearch import ElasticsearchBackend, _client
from search.models import PendingIndexChange
from search.query import SearchQuery
from tests.factories import CasePageFactory, publish
from tests.search.helpers import api, titles

pytestmark = pytest.mark.parametrize("search_backend", ["elasticsearch"], indirect=True)


@pytest.fixture
def unreachable_url():
    """The address of a port nobody listens on: connections are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(autouse=True)
def forget_failures():
    health.forget()
    yield
    health.forget()


def test_the_alias_points_at_one_versioned_index(client, library, settings):
    api(client, q="停车")  # sends what the library queued
    backend = ElasticsearchBackend()
    [name] = backend.indexes_behind_alias()
    assert name.startswith(f"{settings.ELASTICSEARCH_INDEX}-") and name != settings.ELASTICSEARCH_INDEX


def test_rebuild_fills_a_new_index_while_searches_read_the_old_one(client, library):
    api(client, q="停车")
    backend = ElasticsearchBackend()
    [before] = backend.indexes_behind_alias()
    seen_during_rebuild = []

    def batches():
        yield [indexing.build_document(library["parking"].specific)]
        # Half-way through: the alias still points at the complete old index.
        seen_during_rebuild.append(backend.search(SearchQuery()).total)
        yield [indexing.build_document(library["pets"].specific)]

    assert backend.rebuild(batches()) == 2
    [after] = backend.indexes_behind_alias()
    assert seen_during_rebuild == [5]
    assert after != before and not backend.client.indices.exists(index=before)
    assert backend.search(SearchQuery()).total == 2


def test_a_failed_rebuild_leaves_the_old_index_in_place(client, library):
    api(client, q="停车")
    backend = ElasticsearchBackend()
    [before] = backend.indexes_behind_alias()

    def batches():
        yield [indexing.build_document(library["parking"].specific)]
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        backend.rebuild(batches())
    assert backend.indexes_behind_alias() == [before]
    assert backend.search(SearchQuery()).total == 5
    assert [i for i in backend.client.indices.get(index="*") if i.startswith(backend.alias)] == [before]


def test_rebuild_command_rebuilds_both_indexes_and_clears_the_queue(client, library):
    assert PendingIndexChange.objects.exists()  # the library was published inside the test transaction
    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "Indexed 5 pages (database and elasticsearch)" in out.getvalue()
    assert not PendingIndexChange.objects.exists()
    assert ElasticsearchBackend().search(SearchQuery(q="停车")).total == 1


def test_changes_are_sent_when_the_transaction_commits(library, indexes, commit):
    indexing.send_pending()
    with commit():
        page = publish(
            CasePageFactory(parent=indexes["case"], title="社区花园", summary="一块荒地。", live=False)
        )
    assert not PendingIndexChange.objects.exists()
    assert [h.page_id for h in ElasticsearchBackend().search(SearchQuery(q="花园")).hits] == [page.pk]


def test_publishing_while_elasticsearch_is_down(client, library, indexes, settings, unreachable_url, commit):
    cluster = settings.ELASTICSEARCH_URL
    api(client, q="停车")
    settings.ELASTICSEARCH_URL = unreachable_url
    with commit():  # publishing succeeds; the change waits in the queue
        page = publish(
            CasePageFactory(parent=indexes["case"], title="社区花园", summary="一块荒地。", live=False)
        )
    assert list(PendingIndexChange.objects.values_list("page_id", flat=True)) == [page.pk]

    data = api(client, q="花园")  # answered by the database, which says so
    assert data["backend"] == "database" and titles(data) == ["社区花园"]
    with pytest.raises(CommandError, match=r"unreachable.*1 page change"):
        call_command("sync_search_index", stdout=StringIO())

    settings.ELASTICSEARCH_URL = cluster  # back up: the catch-up command sends the change
    out = StringIO()
    call_command("sync_search_index", stdout=out)
    assert "Sent 1 page change" in out.getvalue()
    assert not PendingIndexChange.objects.exists()
    assert [h.title for h in ElasticsearchBackend().search(SearchQuery(q="花园")).hits] == ["社区花园"]
    data = api(client, q="花园")
    assert data["backend"] == "elasticsearch" and titles(data) == ["社区花园"]


def test_search_catches_up_by_itself_once_elasticsearch_is_back(
    client, library, indexes, settings, unreachable_url
):
    cluster = settings.ELASTICSEARCH_URL
    api(client, q="停车")
    settings.ELASTICSEARCH_URL = unreachable_url
    library["pets"].unpublish()
    assert api(client, q="宠物")["backend"] == "database"
    settings.ELASTICSEARCH_URL = cluster
    data = api(client, q="宠物")
    assert data["backend"] == "elasticsearch" and "铲屎官小队" not in titles(data)
    assert not PendingIndexChange.objects.exists()


def test_rebuild_while_elasticsearch_is_down_rebuilds_the_database_and_says_so(
    client, library, settings, unreachable_url
):
    settings.ELASTICSEARCH_URL = unreachable_url
    DatabaseBackend().clear()
    with pytest.raises(CommandError, match=r"unreachable.*database index was rebuilt"):
        call_command("rebuild_search_index", stdout=StringIO())
    data = api(client)
    assert data["backend"] == "database" and data["total"] == 5


def test_the_database_answers_a_search_elasticsearch_cannot(client, library, settings, unreachable_url):
    settings.ELASTICSEARCH_URL = unreachable_url
    PendingIndexChange.objects.all().delete()  # nothing to send: the search itself must fail over
    data = api(client, q="停车", issue="停车难")
    assert data["backend"] == "database"
    assert titles(data) == ["老旧小区停车难的协商"] and data["facets"]["issue"]


def test_both_backends_give_the_same_results_and_facets(client, library, settings):
    params = [
        {"q": "居民"},
        {"q": "议事会", "region": "四川省"},
        {"issue": ["停车难", "宠物管理"], "community_type": "商品房小区"},
        {"q": "业委会", "sort": "newest"},
        {"type": "case", "sort": "newest", "page_size": 2, "page": 2},
    ]
    on_elasticsearch = [api(client, **p) for p in params]
    settings.ELASTICSEARCH_URL = ""
    on_database = [api(client, **p) for p in params]
    for p, es, db in zip(params, on_elasticsearch, on_database, strict=True):
        assert (es["backend"], db["backend"]) == ("elasticsearch", "database")
        assert es["total"] == db["total"] and es["facets"] == db["facets"]
        if p.get("sort") == "newest" or "q" not in p:
            assert titles(es) == titles(db)
        else:  # both rank with BM25, but not the same implementation: close scores may swap
            assert sorted(titles(es)) == sorted(titles(db))


def test_plain_json_is_what_the_test_server_needs(settings, search_backend):
    if settings.ELASTICSEARCH_TEST_URL:
        pytest.skip("a real cluster accepts both media types")
    versioned = _client(settings.ELASTICSEARCH_URL, False, 2, 0.5)
    plain = _client(settings.ELASTICSEARCH_URL, True, 2, 0.5)
    assert not plain.indices.exists(index="nothing-here")
    with pytest.raises(ApiError, match="not supported"):
        versioned.indices.create(index="refused", mappings={"properties": {}})


def test_a_cluster_refusing_requests_is_answered_by_the_database(client, library, settings):
    if settings.ELASTICSEARCH_TEST_URL:
        pytest.skip("a real cluster accepts the versioned media type")
    settings.ELASTICSEARCH_PLAIN_JSON = False  # osmem answers 406 to every request: an ApiError
    data = api(client, q="停车")
    assert data["backend"] == "database" and titles(data) == ["老旧小区停车难的协商"]
    assert PendingIndexChange.objects.exists()  # what could not be sent stays queued
