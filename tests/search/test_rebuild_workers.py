"""A rebuild on worker processes, in a process of its own on a SQLite file (the suite's own database
lives in memory, where workers are never used)."""

import textwrap

from tests.operations.helpers import manage

# Another thread holds the lock of Django's URL prefix (as the outbox sender does while it works
# out a page's URL) for the first seconds of the rebuild, while its workers start: a forked worker
# would inherit it held, for good, and hang on its first URL; a spawned one starts afresh.
REBUILD_WHILE_A_THREAD_HOLDS_A_LOCK = textwrap.dedent(
    """
    import threading
    import time
    from django.urls import base
    held = threading.Event()
    def hold():
        with base._prefixes._lock:
            held.set()
            time.sleep(3)
    threading.Thread(target=hold, daemon=True).start()
    held.wait()
    from search import rebuilding
    from search.indexing import rebuild
    from search.models import SearchEntry
    tasks = list(rebuilding.page_batches())
    print("workers", rebuilding.workers_wanted(), "tasks", len(tasks))
    print("indexed", rebuild(), "entries", SearchEntry.objects.count())
    """
)


def test_a_rebuild_on_workers_indexes_every_page_though_another_thread_holds_a_lock(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'kb.sqlite3'}", "SEARCH_REBUILD_WORKERS_FROM": "1"}
    for command in (["migrate", "--noinput"], ["load_demo_content"]):
        result = manage(*command, timeout=300, **env)
        assert result.returncode == 0, result.stderr
    result = manage("shell", "-c", REBUILD_WHILE_A_THREAD_HOLDS_A_LOCK, timeout=180, **env)
    assert result.returncode == 0, result.stderr
    lines = dict(
        line.split(" ", 1) for line in result.stdout.splitlines() if line.startswith(("workers", "indexed"))
    )
    workers, tasks = lines["workers"].split(" tasks ")
    assert int(workers) >= 1 and int(tasks) > 1  # the pages of four types: several batches, on workers
    indexed, entries = lines["indexed"].split(" entries ")
    assert int(indexed) == int(entries) == 51
