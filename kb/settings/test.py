"""Test runs: fast password hashing, throwaway media, no debug."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks"]  # noqa: F405  tooling: search_benchmark, search_relevance
DEBUG = False
SECRET_KEY = "test-only-key"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="kb-test-media-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Tests choose their search backend: the Elasticsearch tests run against the cluster named by
# ELASTICSEARCH_URL when there is one, and against an osmem-server they start otherwise. Every
# other test uses the database backend.
ELASTICSEARCH_TEST_URL = ELASTICSEARCH_URL  # noqa: F405
ELASTICSEARCH_URL = ""
# The test database lives in the test's transaction, which a background thread cannot see: the
# outbox is sent in the committing thread (tests that need the thread start one of their own).
SEARCH_OUTBOX_SENDER = "inline"

# Tests see every change at once: the page cache is off but in its own tests (tests/operations).
PAGE_CACHE_SECONDS = 0

# SQLite: the test database is a file, not Django's shared in-memory database. In memory, the live
# server of the browser tests (tests/browser) hands its one connection to every request thread, and
# two requests at once (a page loading while the last one's beacon is still answered) broke it for
# the rest of the run. A file gives each thread its own connection; nothing is synced to disk.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # Named by the process, not made at import: every process that loads these settings (the
    # rebuild's spawned workers, say) would leave a folder behind. Django removes the file after.
    test_database = Path(tempfile.gettempdir()) / f"kb-test-{os.getpid()}.sqlite3"
    DATABASES["default"]["TEST"] = {"NAME": str(test_database)}  # noqa: F405
    DATABASES["default"]["OPTIONS"]["init_command"] += "PRAGMA synchronous=OFF;"  # noqa: F405
