"""The full-text table gains a pinyin column: every Chinese character as its toneless syllable.

SQLite cannot add a column to an FTS5 table, so it is rebuilt with the rows it had (their pinyin
empty until `rebuild_search_index`, which also folds traditional characters in old rows).
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE search_fulltext_new USING fts5("
    "title, summary, terms, body, chars, pinyin, tokenize = 'unicode61 remove_diacritics 0')",
    "INSERT INTO search_fulltext_new (rowid, title, summary, terms, body, chars, pinyin) "
    "SELECT rowid, title, summary, terms, body, chars, '' FROM search_fulltext",
    "DROP TABLE search_fulltext",
    "ALTER TABLE search_fulltext_new RENAME TO search_fulltext",
]
SQLITE_BACKWARD = [
    "CREATE VIRTUAL TABLE search_fulltext_old USING fts5("
    "title, summary, terms, body, chars, tokenize = 'unicode61 remove_diacritics 0')",
    "INSERT INTO search_fulltext_old (rowid, title, summary, terms, body, chars) "
    "SELECT rowid, title, summary, terms, body, chars FROM search_fulltext",
    "DROP TABLE search_fulltext",
    "ALTER TABLE search_fulltext_old RENAME TO search_fulltext",
]
POSTGRES_FORWARD = [
    "ALTER TABLE search_fulltext ADD COLUMN pinyin tsvector NOT NULL DEFAULT ''::tsvector",
    "CREATE INDEX search_fulltext_pinyin ON search_fulltext USING gin (pinyin)",
]
POSTGRES_BACKWARD = ["ALTER TABLE search_fulltext DROP COLUMN pinyin"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0004_fulltext_without_foreign_key")]
    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
