"""The read path: which backend answers a search, and falling back to the database.

Elasticsearch answers when it is configured, reachable and has every queued change (it is sent
them first, through the write path's outbox in search/indexing.py); otherwise the database index,
which the write path always keeps, answers.
"""

import time

from django.conf import settings

from .backends.database import DatabaseBackend
from .backends.elasticsearch import ElasticsearchBackend, SearchUnavailable
from .indexing import _mark_unavailable, _unavailable_until, elasticsearch_enabled, send_pending
from .models import PendingIndexChange


def get_backend():
    """The configured backend: Elasticsearch when `ELASTICSEARCH_URL` is set, else the database."""
    return ElasticsearchBackend() if elasticsearch_enabled() else DatabaseBackend()


def search(query):
    """SearchResults from Elasticsearch when configured and up to date, else from the database."""
    if _elasticsearch_is_current():
        try:
            return ElasticsearchBackend().search(query)
        except SearchUnavailable as error:
            _mark_unavailable(error)
    return DatabaseBackend().search(query)


def _elasticsearch_is_current():
    """Configured, not failed a moment ago, and not missing changes (it is sent them first)."""
    if not elasticsearch_enabled():
        return False
    if time.monotonic() < _unavailable_until.get(settings.ELASTICSEARCH_URL, 0):
        return False
    return not PendingIndexChange.objects.exists() or send_pending() is not None
