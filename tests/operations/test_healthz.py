"""GET /healthz (INTERFACES §7): the database and the search backend, 503 when the database is down."""

import json

import pytest

from kb.operations import health
from search.models import PendingIndexChange

from .helpers import PRODUCTION_ENV, manage

FETCH = (
    "import json; from django.test import Client; r = Client().get('/healthz'); "
    "print(json.dumps({'status': r.status_code, 'body': json.loads(r.content)}))"
)


@pytest.mark.django_db
def test_healthz_reports_the_database_and_the_embedded_backend(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "search": {"backend": "database", "reachable": True, "pending": 0},
    }


@pytest.fixture
def elasticsearch(request, settings):
    """An osmem-server clone, as the search tests use (tests/search/conftest.py)."""
    import uuid

    settings.ELASTICSEARCH_INDEX = f"kb-test-{uuid.uuid4().hex[:8]}"
    if settings.ELASTICSEARCH_TEST_URL:
        settings.ELASTICSEARCH_URL = settings.ELASTICSEARCH_TEST_URL
    else:
        settings.ELASTICSEARCH_URL = request.getfixturevalue("osmem_clone").url
        settings.ELASTICSEARCH_PLAIN_JSON = True
    return settings.ELASTICSEARCH_URL


@pytest.mark.parametrize(
    "database_url",
    ["sqlite:////nonexistent-directory/kb.sqlite3", "postgres://postgres@127.0.0.1:1/kb_unreachable"],
    ids=["sqlite", "postgresql"],
)
def test_healthz_answers_503_naming_the_database_when_it_is_down(database_url):
    result = manage(
        "shell", "-c", FETCH, **{**PRODUCTION_ENV, "DATABASE_URL": database_url, "LOG_LEVEL": "CRITICAL"}
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["status"] == 503
    assert shown["body"]["status"] == "unavailable"
    assert shown["body"]["database"] == "unavailable"
    assert shown["body"]["failing"] == ["database"]
    assert shown["body"]["search"]["reachable"] is False


@pytest.fixture(autouse=True)
def forget_pings():
    health._last_ping.clear()
    yield
    health._last_ping.clear()


@pytest.mark.django_db
def test_healthz_pings_elasticsearch_and_counts_the_queue(client, elasticsearch, home):
    from search import health as search_health
    from search.indexing import rebuild

    rebuild()
    search_health.forget()
    PendingIndexChange.objects.all().delete()
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["search"] == {"backend": "elasticsearch", "reachable": True, "pending": 0, "consistent": True}
    # Two changes of one page are one page to send.
    PendingIndexChange.objects.bulk_create(PendingIndexChange(page_id=home.pk) for _ in range(2))
    assert client.get("/healthz").json()["search"]["pending"] == 1


@pytest.mark.django_db
def test_healthz_says_degraded_when_elasticsearch_is_unreachable(client, settings):
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:1"
    response = client.get("/healthz")
    assert response.status_code == 200  # searches fall back to the database: the site still serves
    body = response.json()
    assert body["status"] == "degraded"
    assert body["failing"] == ["search"]
    assert body["search"]["reachable"] is False
    assert body["database"] == "ok"
