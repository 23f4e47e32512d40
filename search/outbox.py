"""Sending the outbox to Elasticsearch outside the request that published the change.

A publish writes the database index and a `PendingIndexChange` row in its own transaction; after
the commit it only wakes the sender and returns. The sender is one daemon thread per process
with a bounded queue of jobs ("send", "rebuild"): a job already waiting is not queued twice, so a
burst of publishes while the cluster hangs costs one request to it, never a pile of threads. What
the thread cannot send stays in the outbox for the next wake-up, `sync_search_index` or a rebuild.

`SEARCH_OUTBOX_SENDER = "inline"` runs the jobs in the calling thread instead, right after the
commit (the tests: their database lives in a transaction a second thread cannot see).
"""

import logging
import queue
import threading

from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)

JOBS = ("send", "rebuild")


def _run(job):
    from . import indexing

    if job == "send":
        indexing.send_pending()
    else:
        indexing.rebuild_elasticsearch()


class BackgroundSender:
    """A daemon thread running queued jobs one at a time; `request()` never blocks."""

    def __init__(self, run=_run):
        self.run = run
        self.jobs = queue.Queue(maxsize=len(JOBS))
        self.waiting = set()
        self.lock = threading.Lock()
        self.thread = None

    def request(self, job):
        """Queue `job` unless it is already waiting; start the thread if it is not running."""
        with self.lock:
            if job in self.waiting:
                return False
            self.waiting.add(job)
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._loop, name="kb-search-outbox", daemon=True)
                self.thread.start()
        self.jobs.put_nowait(job)  # never full: each job waits at most once
        return True

    def _loop(self):
        while True:
            job = self.jobs.get()
            with self.lock:
                self.waiting.discard(job)
            try:
                self.run(job)
            except Exception:
                logger.exception("Search outbox job %r failed; the changes stay queued.", job)
            finally:
                connection.close()  # this thread's own database connection
                self.jobs.task_done()

    def wait(self):
        """Block until every queued job has run (commands and tests)."""
        self.jobs.join()


sender = BackgroundSender()


_inline = threading.local()


def _request(job):
    """Run or queue `job`; True when it has run already (inline sender)."""
    if settings.SEARCH_OUTBOX_SENDER != "inline":
        sender.request(job)
        return False
    if getattr(_inline, "running", False):
        return False  # asked for again from inside a job: the running job is the answer
    _inline.running = True
    try:
        _run(job)
    except Exception:
        logger.exception("Search outbox job %r failed; the changes stay queued.", job)
        return False
    finally:
        _inline.running = False
    return True


def request_send():
    """Send the outbox soon (after a commit, or when a search finds changes waiting)."""
    return _request("send")


def request_rebuild():
    """Rebuild the Elasticsearch index soon (it is empty, stale or of another generation)."""
    return _request("rebuild")
