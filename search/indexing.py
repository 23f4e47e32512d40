"""The write path: keeping the indexes in step with the pages (search/reading.py is the read path).

The database index is always kept, in the same transaction as the page change: it answers
searches when no Elasticsearch cluster is configured, and whenever the cluster cannot be reached.
With a cluster configured, each change is also queued (`PendingIndexChange`, same transaction)
and sent once the transaction commits; what cannot be sent stays queued until `sync_search_index`,
the next change, the next search or a rebuild sends it.
"""

import logging
import time

from django.conf import settings
from django.db import transaction
from wagtail.models import Page

from kb.core.sections import page_model

from . import rebuilding
from .backends.database import DatabaseBackend
from .backends.elasticsearch import UNAVAILABLE_ERRORS, ElasticsearchBackend, SearchUnavailable
from .documents import build_document
from .models import PendingIndexChange

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30  # after a failure, searches go to the database for this long (reading.py)
_unavailable_until = {}  # Elasticsearch URL → time.monotonic() before which it is not tried


def elasticsearch_enabled():
    return bool(settings.ELASTICSEARCH_URL)


def index_backends():
    """Every backend that keeps an index, the database first."""
    return [DatabaseBackend(), ElasticsearchBackend()] if elasticsearch_enabled() else [DatabaseBackend()]


def indexable_pages(type_key):
    """Live, public pages of one type, with what their documents read."""
    model = page_model(type_key)
    # The concrete model's own queryset: `.specific()` would refetch each page and lose the
    # select_related below (two extra queries per page in a rebuild).
    pages = model.objects.live().public()
    related = [
        f for f in ("issues", "actors", "methods", "audience", "issuers", "modules__method") if _has(model, f)
    ]
    selected = [f for f in ("region", "community_type", "level", "validity") if _has(model, f)]
    return pages.select_related(*selected).prefetch_related(*related)


def _has(model, path):
    return any(f.name == path.split("__")[0] for f in model._meta.get_fields())


def is_indexable(page):
    page = page.specific
    return getattr(page, "type_key", "") and page.live and not page.get_view_restrictions().exists()


def update_page(page):
    """Index the page if it belongs in the index, remove it otherwise."""
    page = page.specific
    if is_indexable(page):
        DatabaseBackend().index([build_document(page)])
    else:
        DatabaseBackend().remove([page.pk])
    _queue([page.pk])


def remove_page(page_id):
    DatabaseBackend().remove([page_id])
    _queue([page_id])


def _queue(page_ids):
    if not elasticsearch_enabled():
        return
    PendingIndexChange.objects.bulk_create(PendingIndexChange(page_id=page_id) for page_id in page_ids)
    transaction.on_commit(send_pending, robust=True)


def pending_count():
    return PendingIndexChange.objects.values("page_id").distinct().count()


def send_pending():
    """Send the queued changes to Elasticsearch; the number of pages sent, or None if unreachable."""
    if not elasticsearch_enabled():
        return 0
    queued = list(PendingIndexChange.objects.order_by("pk").values_list("pk", "page_id"))
    if not queued:
        return 0
    page_ids = list(dict.fromkeys(page_id for _, page_id in queued))
    pages = Page.objects.filter(pk__in=page_ids).specific()
    documents = [build_document(page) for page in pages if is_indexable(page)]
    indexed = {document.page_id for document in documents}
    backend = ElasticsearchBackend()
    try:
        if documents:
            backend.index(documents)
        backend.remove([page_id for page_id in page_ids if page_id not in indexed])
    except UNAVAILABLE_ERRORS as error:
        _mark_unavailable(error)
        return None
    PendingIndexChange.objects.filter(pk__in=[pk for pk, _ in queued]).delete()
    return len(page_ids)


def _mark_unavailable(error):
    logger.warning(
        "Elasticsearch at %s is unreachable (%s); searching the database.", settings.ELASTICSEARCH_URL, error
    )
    _unavailable_until[settings.ELASTICSEARCH_URL] = time.monotonic() + RETRY_AFTER_SECONDS


def rebuild(progress=None):
    """Rebuild every index from the live pages; the number of pages indexed.

    Documents are built on every core (search/rebuilding.py). `progress(backend_name, done)` is
    called as pages are indexed.
    """
    tasks = list(rebuilding.page_batches())
    count = 0
    for backend in index_backends():
        last_queued = PendingIndexChange.objects.order_by("-pk").values_list("pk", flat=True).first()
        report = _reporter(progress, backend.name)
        try:
            if backend.name == "database":
                with rebuilding.results(rebuilding.batch_rows, tasks) as batches:
                    count = backend.rebuild_rows(report(batches, lambda item: item[1]))
            else:
                with rebuilding.results(rebuilding.batch_documents, tasks) as batches:
                    count = backend.rebuild(report(batches, len))
        except UNAVAILABLE_ERRORS as error:
            raise SearchUnavailable(
                f"Elasticsearch at {settings.ELASTICSEARCH_URL} is unreachable: {error}"
            ) from error
        if backend.name == "elasticsearch" and last_queued:
            # The new index holds every change queued before it was started.
            PendingIndexChange.objects.filter(pk__lte=last_queued).delete()
    return count


def _reporter(progress, name):
    """Wraps an iterator of batches so that `progress(name, pages done)` follows it."""

    def report(batches, size):
        done = 0
        for batch in batches:
            yield batch
            done += size(batch)
            if progress:
                progress(name, done)

    return report
