"""GET /healthz (INTERFACES §7): is the database answering, and which search backend serves.

Cheap enough to poll every second: one `SELECT 1`, the length of the Elasticsearch outbox (a
small table), and at most one short ping to the cluster per PING_CACHE_SECONDS per process.
"""

import logging
import threading
import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from search import health as search_health
from search.backends.elasticsearch import get_client
from search.indexing import elasticsearch_enabled, pending_count

logger = logging.getLogger(__name__)

PING_TIMEOUT_SECONDS = 1
PING_CACHE_SECONDS = 10
_ping_lock = threading.Lock()
_last_ping = {}  # Elasticsearch URL → (time.monotonic() of the ping, reachable)


def database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any driver error means the same thing here: not answering
        logger.error("Health check: the database is not answering (%s)", error)
        return False
    return True


def elasticsearch_reachable():
    """One ping per PING_CACHE_SECONDS, answered from the last one in between."""
    url = settings.ELASTICSEARCH_URL
    now = time.monotonic()
    with _ping_lock:
        checked_at, reachable = _last_ping.get(url, (None, False))
        if checked_at is not None and now - checked_at < PING_CACHE_SECONDS:
            return reachable
        try:
            reachable = bool(get_client().options(request_timeout=PING_TIMEOUT_SECONDS).ping())
        except Exception as error:  # a refused, hung or garbled answer alike: not reachable
            logger.warning("Health check: Elasticsearch at %s is not reachable (%s)", url, error)
            reachable = False
        _last_ping[url] = (now, reachable)
        return reachable


def search_status(database_up):
    if not elasticsearch_enabled():
        return {"backend": "database", "reachable": database_up, "pending": 0}
    reachable = elasticsearch_reachable()
    if not database_up:
        return {"backend": "elasticsearch", "reachable": reachable, "pending": None}
    # Whether the cluster's index holds what the database says it should (search/health.py,
    # a cached verdict): when it does not, the database answers searches and this says why.
    status = search_health.search_status()
    body = {
        "backend": status["backend"] if reachable else "database",
        "reachable": reachable,
        "pending": pending_count(),
        "consistent": status["consistent"],
    }
    if status["reason"]:
        body["reason"] = status["reason"]
    return body


@never_cache
@require_GET
def healthz(request):
    """200 when the site can serve (`degraded` if Elasticsearch is down: searches fall back to the
    database); 503 when the database is down, naming it in `failing`."""
    database_up = database_ok()
    search = search_status(database_up)
    body = {"status": "ok", "database": "ok" if database_up else "unavailable", "search": search}
    if not database_up:
        body.update(status="unavailable", failing=["database"])
        return JsonResponse(body, status=503)
    if not search["reachable"] or search.get("consistent") is False:
        body.update(status="degraded", failing=["search"])
    return JsonResponse(body)
