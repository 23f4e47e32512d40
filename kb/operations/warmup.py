"""A server process loads what its first request would otherwise load while a reader waits.

Run by each gunicorn worker (gunicorn_conf.post_worker_init: at start and after every recycle)
and by `runserver` (management/commands/runserver.py), before they take requests. At 10,000
pages a fresh runserver's first search took 38–45 ms against 12 ms for the next first searches:
the search's facet bitmaps and analysis tables (search.service.warm) and the URL resolver's
reverse tables, which the first reverse() builds (the query-limits middleware asks one of every
request with a query string).
"""

import time

from django.db import connections
from django.urls import reverse

from search.service import warm as warm_search


def warm_before_serving(log):
    """Warm this process up, timed on `log` (a logger: info and exception). A failure (say, a
    database not migrated yet) is logged, and the first request then loads what it needs. The
    connections used are closed: requests run on their own threads, each with its own."""
    start = time.perf_counter()
    try:
        reverse("wagtailadmin_home")
        warm_search()
    except Exception:
        log.exception("Warm-up failed; the first request will load what it needs.")
    else:
        log.info("Warmed up for the first request in %.0f ms.", (time.perf_counter() - start) * 1000)
    finally:
        connections.close_all()
