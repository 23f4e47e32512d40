"""The write path: keeping the indexes in step with the pages (search/reading.py is the read path).

The database index is always kept, in the same transaction as the page change: it answers
searches when no Elasticsearch cluster is configured, and whenever the cluster cannot be reached.
With a cluster configured, each change is also queued (`PendingIndexChange`, same transaction)
and sent after the commit, outside the request (search/outbox.py); what cannot be sent stays
queued until `sync_search_index`, the next change, the next search or a rebuild sends it. Searches
go to Elasticsearch only while search/health.py finds its index complete and reachable.
"""

import logging
from multiprocessing.pool import AsyncResult

from django.conf import settings
from django.db import transaction
from wagtail.models import Page

from kb.core import workers
from kb.core.page_types import page_model, type_keys
from kb.core.visibility import is_public_live

from . import health, outbox, rebuilding
from .backends.database import DatabaseBackend, entry_rows
from .backends.elasticsearch import UNAVAILABLE_ERRORS, ElasticsearchBackend, SearchUnavailable
from .documents import build_document, with_terms_as_lists
from .health import elasticsearch_enabled
from .models import PendingIndexChange

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


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


def document_pages(type_key, ids):
    """The indexable pages of one type among these ids, read as `build_document` reads them."""
    return with_terms_as_lists(indexable_pages(type_key)).filter(pk__in=ids)


def is_indexable(page):
    page = page.specific
    return bool(getattr(page, "type_key", "")) and is_public_live(page)


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
    Inside a run with worker processes (kb.core.workers.shared()), a batch's text is analysed on
    a worker while this process builds the next batch's documents; the writes keep their order.
    """
    page_ids = list(dict.fromkeys(page_ids))
    backend = DatabaseBackend()
    pool = workers.shared()
    waiting = None  # the previous batch: (its ids, the ids it indexes, its rows or their AsyncResult)
    for start in range(0, len(page_ids), BATCH_SIZE):
        chunk = page_ids[start : start + BATCH_SIZE]
        documents = [
            build_document(page) for type_key in type_keys() for page in document_pages(type_key, chunk)
        ]
        indexed = {document.page_id for document in documents}
        rows = pool.apply_async(entry_rows, (documents,)) if pool else entry_rows(documents)
        if waiting:
            _write_batch(backend, *waiting)
        waiting = (chunk, indexed, rows)
    if waiting:
        _write_batch(backend, *waiting)


def _write_batch(backend, chunk, indexed, rows):
    backend.write_rows(rows.get() if isinstance(rows, AsyncResult) else rows)
    backend.remove([page_id for page_id in chunk if page_id not in indexed])
    _queue(chunk)


def update_subtree(page):
    """The page and its live descendants: a move, slug change or view restriction changes them all."""
    page_ids = [
        page.pk,
        *Page.objects.filter(path__startswith=page.path, depth__gt=page.depth)
        .live()
        .values_list("pk", flat=True),
    ]
    update_pages(page_ids)


def remove_page(page_id):
    DatabaseBackend().remove([page_id])
    _queue([page_id])


def _queue(page_ids):
    if not elasticsearch_enabled():
        return
    PendingIndexChange.objects.bulk_create(
        (PendingIndexChange(page_id=page_id) for page_id in page_ids), batch_size=BATCH_SIZE
    )
    transaction.on_commit(outbox.request_send, robust=True)


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
    indexed = set()
    backend = ElasticsearchBackend()
    try:
        if not backend.indexes_behind_alias():
            # Emptied or never built: adding these pages would make a partial index look live.
            health.mark_inconsistent(f"no index behind the alias {backend.alias}: a rebuild is needed")
            return None
        for start in range(0, len(page_ids), BATCH_SIZE):
            chunk = page_ids[start : start + BATCH_SIZE]
            for type_key in type_keys():
                documents = [build_document(page) for page in document_pages(type_key, chunk)]
                if documents:
                    backend.index(documents)
                    indexed.update(document.page_id for document in documents)
        backend.remove([page_id for page_id in page_ids if page_id not in indexed])
    except UNAVAILABLE_ERRORS as error:
        health.mark_unavailable(error)
        return None
    PendingIndexChange.objects.filter(pk__in=[pk for pk, _ in queued]).delete()
    return len(page_ids)


def rebuild(progress=None):
    """Rebuild every index from the live pages; the number of pages indexed.

    Documents are built on every core (search/rebuilding.py). `progress(backend_name, done)` is
    called as pages are indexed.
    """
    tasks = list(rebuilding.page_batches())
    with rebuilding.results(rebuilding.batch_rows, tasks) as batches:
        count = DatabaseBackend().rebuild_rows(_reporter(progress, "database")(batches, lambda item: item[1]))
    if elasticsearch_enabled():
        count = rebuild_elasticsearch(progress, tasks)
    return count


def rebuild_elasticsearch(progress=None, tasks=None):
    """Fill a new Elasticsearch index with the pages the public may see and swap the alias to it,
    marked with a new generation recorded in the database; the number of pages indexed."""
    tasks = list(rebuilding.page_batches()) if tasks is None else tasks
    backend = ElasticsearchBackend()
    last_queued = PendingIndexChange.objects.order_by("-pk").values_list("pk", flat=True).first()
    generation = health.new_generation()
    try:
        with rebuilding.results(rebuilding.batch_documents, tasks) as batches:
            count = backend.rebuild(_reporter(progress, "elasticsearch")(batches, len), generation=generation)
        [index_name] = backend.indexes_behind_alias()
    except UNAVAILABLE_ERRORS as error:
        health.mark_unavailable(error)
        raise SearchUnavailable(
            f"Elasticsearch at {settings.ELASTICSEARCH_URL} is unreachable: {error}"
        ) from error
    health.record_generation(backend.alias, generation, index_name, count)
    if last_queued:
        # The new index holds every change queued before it was started.
        PendingIndexChange.objects.filter(pk__lte=last_queued).delete()
    health.forget()
    logger.info(
        "Rebuilt the Elasticsearch index %s (%d pages, generation %s).", index_name, count, generation
    )
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
