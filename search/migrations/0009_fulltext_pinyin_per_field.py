"""Pinyin in a column per text field (title, summary, terms, body), weighted as the field's words.

SQLite cannot add a column to an FTS5 table, so it is rebuilt with the rows it had, their pinyin
(all fields together) kept in the body's column until `rebuild_search_index` splits it: every page
is still found by its pinyin, ranked as before. PostgreSQL keeps one pinyin tsvector, whose tokens
are now labelled by field as the words are; the rows written before stay unlabelled (the body's
weight) until rebuilt.
"""

from django.db import migrations

TOKENIZE = "tokenize = 'unicode61 remove_diacritics 0'"
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE search_fulltext_new USING fts5(title, summary, terms, body, chars, "
    f"pinyin_title, pinyin_summary, pinyin_terms, pinyin_body, {TOKENIZE})",
    "INSERT INTO search_fulltext_new (rowid, title, summary, terms, body, chars, "
    "pinyin_title, pinyin_summary, pinyin_terms, pinyin_body) "
    "SELECT rowid, title, summary, terms, body, chars, '', '', '', pinyin FROM search_fulltext",
    "DROP TABLE search_fulltext",
    "ALTER TABLE search_fulltext_new RENAME TO search_fulltext",
]
SQLITE_BACKWARD = [
    f"CREATE VIRTUAL TABLE search_fulltext_old USING fts5(title, summary, terms, body, chars, pinyin, {TOKENIZE})",
    "INSERT INTO search_fulltext_old (rowid, title, summary, terms, body, chars, pinyin) "
    "SELECT rowid, title, summary, terms, body, chars, "
    "trim(pinyin_title || ' ' || pinyin_summary || ' ' || pinyin_terms || ' ' || pinyin_body) FROM search_fulltext",
    "DROP TABLE search_fulltext",
    "ALTER TABLE search_fulltext_old RENAME TO search_fulltext",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0008_index_generation")]
    operations = [migrations.RunPython(_run({"sqlite": SQLITE_FORWARD}), _run({"sqlite": SQLITE_BACKWARD}))]
