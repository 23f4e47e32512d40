"""Publishing many pages as one batch: per-page follow-up work waits for the end of the batch.

Receivers of Wagtail's publish signals (the policy lifecycle, the search index) do their work page
by page. Inside `batch()`, a receiver calls `defer(handler, page)` instead, and every handler runs
once at the end with all the pages it was given, in `order` (lower first). So the importer can
publish a whole run and only then let the lifecycle and the indexes see it: the result no longer
depends on the order the pages were published in, and the indexes are written in bulk.

Outside a batch `defer` returns False and the receiver does its work at once, as before.
"""

import threading
from contextlib import contextmanager

_state = threading.local()


def in_batch():
    return getattr(_state, "pending", None) is not None


@contextmanager
def batch():
    """Defer per-page publish work to the end of the block (nested blocks join the outer one)."""
    if in_batch():
        yield
        return
    _state.pending = {}
    try:
        yield
        _flush()
    finally:
        _state.pending = None


def defer(handler, page_id, order=100):
    """Queue `handler([page ids])` for the end of the batch; False when there is no batch."""
    pending = getattr(_state, "pending", None)
    if pending is None:
        return False
    pending.setdefault((order, handler), {})[page_id] = None
    return True


def _flush():
    pending = _state.pending
    # A handler may publish more pages (the lifecycle marks older policies), which defers more
    # work: keep going until nothing is left, lowest order first.
    while pending:
        key = min(pending, key=lambda item: item[0])
        page_ids = list(pending.pop(key))
        key[1](page_ids)
