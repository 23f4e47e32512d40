"""SQLite 3.43 or later: the full-text table keeps no copy of its rows (FTS5 content = '' with
contentless_delete = 1), only their index (search/backends/database.py, SqliteFullText.definition).

The rows are copied into the new table's index from the old table's content. Where SQLite is older
the table stays as it is. Backwards there is nothing to do: the contentless table serves the code
before this migration as well (nothing reads the content), and its rows could not be read back.
Migrating further back than 0009, which copies rows out of the table, leaves them empty: run
`rebuild_search_index` after it.
"""

from django.db import migrations

COLUMNS = "title, summary, terms, body, chars, pinyin_title, pinyin_summary, pinyin_terms, pinyin_body"
OPTIONS = "tokenize = 'unicode61 remove_diacritics 0', content = '', contentless_delete = 1"
HASH_BYTES = 64 * 1024 * 1024  # as 0014


def make_contentless(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite" or connection.Database.sqlite_version_info < (3, 43, 0):
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'search_fulltext'")
        (definition,) = cursor.fetchone()
    if "contentless_delete" in definition:
        return
    for statement in [
        "ALTER TABLE search_fulltext RENAME TO search_fulltext_old",
        # Written as SqliteFullText.definition() writes it, so a rebuild makes the same table.
        f'CREATE VIRTUAL TABLE "search_fulltext" USING fts5({COLUMNS}, {OPTIONS})',
        f"INSERT INTO search_fulltext (search_fulltext, rank) VALUES ('hashsize', {HASH_BYTES})",
        f"INSERT INTO search_fulltext (rowid, {COLUMNS}) SELECT rowid, {COLUMNS} FROM search_fulltext_old",
        "DROP TABLE search_fulltext_old",
    ]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0014_fulltext_hash_size")]
    operations = [migrations.RunPython(make_contentless, migrations.RunPython.noop)]
