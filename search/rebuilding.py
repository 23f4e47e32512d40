"""Rebuilding the embedded index on every core: documents are built and analysed in worker
processes, and written in bulk by the one process holding the rebuild's transaction.

At 100,000 pages the work is about 3 ms a page, most of it reading pages, building documents
and cutting text into tokens (docs/search-benchmark.md), none of which needs the transaction:
workers do that for batches of page ids and send back plain rows (`entry_rows`), which the main
process inserts with `executemany`. Inside a transaction (the test suite; workers could not see
uncommitted pages), on one core, or for fewer than SEARCH_REBUILD_WORKERS_FROM pages, the same
steps run in the calling process. Workers are spawned (kb/core/workers.py says why).
"""

from contextlib import contextmanager

from django.conf import settings
from django.db import connection

from kb.core import workers
from kb.core.page_types import type_keys

from .backends.database import entry_rows
from .documents import build_document

BATCH_SIZE = 500


def page_batches():
    """(type_key, [page ids]) of every indexable page, BATCH_SIZE ids at a time."""
    from .indexing import indexable_pages

    for type_key in type_keys():
        ids = list(indexable_pages(type_key).order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH_SIZE):
            yield type_key, ids[start : start + BATCH_SIZE]


def batch_documents(task):
    """The SearchDocuments of one batch of page ids of one type."""
    from .indexing import document_pages

    type_key, ids = task
    return [build_document(page) for page in document_pages(type_key, ids).order_by("pk")]


def batch_rows(task):
    """Worker: what one batch writes (see `entry_rows`), and how many pages it holds."""
    documents = batch_documents(task)
    return entry_rows(documents), len(documents)


def workers_wanted():
    """Worker processes for a rebuild: one per core, none inside a transaction or on one core."""
    if connection.in_atomic_block or connection.vendor not in ("sqlite", "postgresql"):
        return 0
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        return 0
    return workers.spare_cores()


@contextmanager
def results(function, tasks):
    """An iterator of function(task) for each task, in order: on worker processes when
    `workers_wanted()`, else here. Enter it before the rebuild's transaction starts."""
    pages = sum(len(ids) for _, ids in tasks)
    # Fewer pages than SEARCH_REBUILD_WORKERS_FROM are done here: starting a worker (Django set up
    # afresh, about a second) would cost more than it saves.
    processes = workers_wanted() if len(tasks) > 1 and pages >= settings.SEARCH_REBUILD_WORKERS_FROM else 0
    if not processes:
        yield map(function, tasks)
        return
    if connection.vendor == "sqlite":
        # Workers read while the parent writes: in SQLite's default rollback journal the writer
        # locks readers out ("database is locked"); write-ahead logging lets both go on. The
        # mode stays with the database file (production wants it anyway).
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode = WAL")
    with workers.pool(processes) as pool:
        yield pool.imap(function, tasks, chunksize=1)
