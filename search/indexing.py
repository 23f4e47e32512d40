"""Keeping the indexes in step with the pages, and choosing the backend that answers searches.

The database index is always kept, in the same transaction as the page change: it answers
searches when no Elasticsearch cluster is configured, and whenever the cluster cannot be reached.
With a cluster configured, each change is also queued (`PendingIndexChange`, same transaction)
and sent once the transaction commits; what cannot be sent stays queued until `sync_search_index`,
the next change, the next search or a rebuild sends it.
"""

import logging
import time
from itertools import islice

from django.conf import settings
from django.db import transaction
from wagtail.models import Page

from kb.core.page_types import page_model, type_keys

from .backends.database import DatabaseBackend
from .backends.elasticsearch import UNAVAILABLE_ERRORS, ElasticsearchBackend, SearchUnavailable
from .documents import build_document
from .models import PendingIndexChange

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
RETRY_AFTER_SECONDS = 30  # after a failure, searches go to the database for this long
_unavailable_until = {}  # Elasticsearch URL → time.monotonic() before which it is not tried


def elasticsearch_enabled():
    return bool(settings.ELASTICSEARCH_URL)


def get_backend():
    """The configured backend: Elasticsearch when `ELASTICSEARCH_URL` is set, else the database."""
    return ElasticsearchBackend() if elasticsearch_enabled() else DatabaseBackend()


def index_backends():
    """Every backend that keeps an index, the database first."""
    return [DatabaseBackend(), ElasticsearchBackend()] if elasticsearch_enabled() else [DatabaseBackend()]


def indexable_pages(type_key):
    """Live, public pages of one type, with what their documents read (the type's own queryset)."""
    # The concrete model's own queryset: `.specific()` would refetch each page and lose its
    # select_related (two extra queries per page in a rebuild).
    return page_model(type_key).indexed_queryset()


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


def update_pages(page_ids):
    """Index or remove many pages at once, in batches: the bulk form of `update_page`.

    The importer's run calls it once (through kb.core.publishing) instead of once per publish.
    """
    page_ids = list(dict.fromkeys(page_ids))
    backend = DatabaseBackend()
    for start in range(0, len(page_ids), BATCH_SIZE):
        chunk = page_ids[start : start + BATCH_SIZE]
        documents = [
            build_document(page)
            for type_key in type_keys()
            for page in indexable_pages(type_key).filter(pk__in=chunk)
        ]
        indexed = {document.page_id for document in documents}
        if documents:
            backend.index(documents)
        backend.remove([page_id for page_id in chunk if page_id not in indexed])
        _queue(chunk)


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


def _documents(progress=None):
    count = 0
    for type_key in type_keys():
        for page in indexable_pages(type_key).iterator(chunk_size=BATCH_SIZE):
            yield build_document(page)
            count += 1
            if progress:
                progress(count)


def _batches(documents):
    documents = iter(documents)
    while batch := list(islice(documents, BATCH_SIZE)):
        yield batch


def rebuild(progress=None):
    """Rebuild every index from the live pages; the number of pages indexed.

    `progress(backend_name, done)` is called as pages are indexed.
    """
    count = 0
    for backend in index_backends():
        last_queued = PendingIndexChange.objects.order_by("-pk").values_list("pk", flat=True).first()
        report = (lambda done, name=backend.name: progress(name, done)) if progress else None
        try:
            count = backend.rebuild(_batches(_documents(report)))
        except UNAVAILABLE_ERRORS as error:
            raise SearchUnavailable(
                f"Elasticsearch at {settings.ELASTICSEARCH_URL} is unreachable: {error}"
            ) from error
        if backend.name == "elasticsearch" and last_queued:
            # The new index holds every change queued before it was started.
            PendingIndexChange.objects.filter(pk__lte=last_queued).delete()
    return count
