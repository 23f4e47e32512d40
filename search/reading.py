"""The read path: which backend answers a search, and falling back to the database.

Elasticsearch answers when it is configured and search/health.py finds its index complete and
reachable, and no change waits for it in the outbox; otherwise the database index, which the
write path (search/indexing.py) always keeps, answers. A search never waits for a write to the
cluster.
"""

from . import health, outbox
from .backends.database import DatabaseBackend
from .backends.elasticsearch import ElasticsearchBackend, SearchUnavailable
from .health import elasticsearch_enabled
from .models import PendingIndexChange


def get_backend():
    """The configured backend: Elasticsearch when `ELASTICSEARCH_URL` is set, else the database."""
    return ElasticsearchBackend() if elasticsearch_enabled() else DatabaseBackend()


def search(query):
    """SearchResults from Elasticsearch when its index is complete and reachable, else the database."""
    if elasticsearch_current():
        try:
            return ElasticsearchBackend().search(query)
        except SearchUnavailable as error:
            health.mark_unavailable(error)
    return DatabaseBackend().search(query)


def elasticsearch_current():
    """Whether Elasticsearch may answer now: its index complete and reachable, nothing queued."""
    return health.elasticsearch_usable() and _outbox_sent()


def _outbox_sent():
    """No change waits for the cluster. Else the sender is woken, and the database (which has every
    change) answers meanwhile."""
    if not PendingIndexChange.objects.exists():
        return True
    outbox.request_send()
    return not PendingIndexChange.objects.exists()
