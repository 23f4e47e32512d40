"""SQLite holds concurrency: WAL, a busy timeout, and a write that waits for another write.

Run in a subprocess on a SQLite file, so the test holds on the PostgreSQL run of the suite too
(the settings configure SQLite whenever DATABASE_URL names it).
"""

import json

from .helpers import manage

PROBE = """
import json, threading, time
from django.db import connection, transaction

def execute(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()

execute("CREATE TABLE IF NOT EXISTS probe (name TEXT)")
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    journal = cursor.fetchone()[0]
    cursor.execute("PRAGMA busy_timeout")
    busy = cursor.fetchone()[0]

holding = threading.Event()

def long_write():
    with transaction.atomic():
        execute("INSERT INTO probe VALUES ('long write')")
        holding.set()
        time.sleep(1.5)
    connection.close()

writer = threading.Thread(target=long_write)
writer.start()
holding.wait()
error = None
try:
    # Reads first, then writes, inside one transaction: deferred, this failed at once with
    # "database is locked" while the other write held the lock.
    with transaction.atomic():
        execute("SELECT COUNT(*) FROM probe")
        execute("INSERT INTO probe VALUES ('second write')")
except Exception as exc:
    error = repr(exc)
writer.join()
print(json.dumps({"journal": journal, "busy": busy, "error": error,
                  "rows": execute("SELECT COUNT(*) FROM probe")[0][0]}))
"""


def test_sqlite_runs_in_wal_mode_and_a_second_writer_waits(tmp_path):
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    result = manage("shell", "-c", PROBE, DATABASE_URL=database, SQLITE_BUSY_TIMEOUT="20")
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["journal"] == "wal"
    assert shown["busy"] == 20_000
    assert shown["error"] is None
    assert shown["rows"] == 2
