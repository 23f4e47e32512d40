"""Worker processes for the CPU-bound steps of large runs: a search rebuild's documents, an
import's Markdown and text analysis. One pool helper, so both start workers the same way.

Workers are spawned, not forked: a fork copies the parent's locks as they are at that moment, and
one held by another thread (the Elasticsearch outbox sender resolving a page URL, say) is held
for ever in the child, which then hangs on its first URL. A spawned worker sets Django up afresh
(about a second), on the parent's databases (a test run's or a benchmark's throwaway one, not the
settings' own). This module imports nothing of Django at the top: a worker imports it first.

Code called inside `pool()` finds the pool with `shared()`, so a step deep in a run (the search
index flush at the end of an import) can use workers the run started early, already set up.
"""

import multiprocessing
import os
import threading
from contextlib import contextmanager

_shared = threading.local()
# Workers run at a lower priority than the process that started them. That process writes what
# they make, on one core, and is what a run waits for: at 100,000 pages a rebuild's writes took
# 109 s of its 136 s while the workers took their CPU share of the same two cores.
WORKER_NICENESS = 10


def start(database_names):
    """A worker's first step: a lower priority, then Django set up on the parent's databases."""
    if hasattr(os, "nice"):
        os.nice(WORKER_NICENESS)
    import django

    django.setup()
    from django.db import connections

    for alias, name in database_names.items():
        connections[alias].settings_dict["NAME"] = name


def cores():
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def spare_cores():
    """Workers worth starting: one per core, none on a single core (the parent would wait)."""
    count = cores()
    return count if count > 1 else 0


@contextmanager
def pool(processes):
    """A pool of `processes` spawned workers (None for 0), which `shared()` returns in the block."""
    if not processes:
        yield None
        return
    from django.db import connections

    names = {alias: connections[alias].settings_dict["NAME"] for alias in connections}
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes, initializer=start, initargs=(names,)) as workers:
        previous = getattr(_shared, "pool", None)
        _shared.pool = workers
        try:
            yield workers
        finally:
            _shared.pool = previous


def shared():
    """The pool of the enclosing `pool()` block in this thread, or None."""
    return getattr(_shared, "pool", None)
