"""System checks of the search index that need the database (run by `migrate` and `check --database`)."""

from django.core.checks import Error, Tags, register
from django.db import connections

from .backends.database import CONTENTLESS_DELETE_SINCE


def full_text_problems(connection, sqlite_version):
    """Errors for operators: a full-text table made contentless (migration 0015, SQLite 3.43+)
    that this SQLite cannot open, so every search would fail with "unrecognized option"."""
    if connection.vendor != "sqlite" or sqlite_version >= CONTENTLESS_DELETE_SINCE:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'search_fulltext'")
        row = cursor.fetchone()
    if row is None or "contentless_delete" not in row[0]:
        return []
    running = ".".join(map(str, sqlite_version))
    return [
        Error(
            f"The search index was made with SQLite 3.43 or later (FTS5 contentless_delete); this "
            f"Python uses SQLite {running}, which cannot open it.",
            hint="Install the project's dependencies (pysqlite3-binary bundles a current SQLite: "
            "pip install -e .), or use a Python whose sqlite3 module has SQLite 3.43 or later.",
            id="search.E001",
        )
    ]


@register(Tags.database)
def check_full_text_table(app_configs, databases=None, **kwargs):
    errors = []
    for alias in databases or []:
        connection = connections[alias]
        if connection.vendor == "sqlite":
            errors += full_text_problems(connection, connection.Database.sqlite_version_info)
    return errors
