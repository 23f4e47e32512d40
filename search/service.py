"""The one search entry point behind the JSON API, the HTML page and commands."""

import time

from django.db import connections

from . import reading
from .query import parse_params


def search(params):
    """SearchResults for request parameters; raises query.BadQuery for parameters users can fix."""
    return reading.search(parse_params(params))


def warm():
    """Load what a process's first search would otherwise load while a reader waits: the facet
    bitmaps (from their snapshot) and the text analysis's tables. Each gunicorn worker
    (kb/operations/gunicorn_conf.py) and `runserver` (kb/operations) run it before taking requests,
    through `warm_before_serving`."""
    from .backends import facet_bitmaps
    from .backends.database import DatabaseBackend

    facet_bitmaps.current()
    DatabaseBackend().analyse("社区营造 shequ")  # Chinese, and a word read as pinyin


def warm_before_serving(log):
    """`warm()` in a server process before its first request, timed on `log` (a logger: info and
    exception); a failure (say, a database not migrated yet) is logged, and the first search then
    loads what it needs. The connections used are closed: requests run on their own threads,
    each with its own connection."""
    start = time.perf_counter()
    try:
        warm()
    except Exception:
        log.exception("Search warm-up failed; the first search will load what it needs.")
    else:
        log.info("Search warmed up in %.0f ms.", (time.perf_counter() - start) * 1000)
    finally:
        connections.close_all()
