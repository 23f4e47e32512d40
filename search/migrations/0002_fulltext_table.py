"""The full-text table for the database in use: FTS5 on SQLite, a weighted tsvector on PostgreSQL."""

from django.db import migrations

SQLITE_CREATE = """
CREATE VIRTUAL TABLE search_fulltext USING fts5(
    title, summary, terms, body, chars, tokenize = 'unicode61 remove_diacritics 0'
)
"""
POSTGRES_CREATE = """
CREATE TABLE search_fulltext (
    rowid bigint PRIMARY KEY REFERENCES search_searchentry (page_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    words tsvector NOT NULL,
    chars tsvector NOT NULL
);
CREATE INDEX search_fulltext_words ON search_fulltext USING gin (words);
CREATE INDEX search_fulltext_chars ON search_fulltext USING gin (chars);
"""


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_CREATE)
    else:
        raise RuntimeError(f"The embedded search backend supports SQLite and PostgreSQL, not {vendor}.")


def drop(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS search_fulltext")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_search_index")]
    operations = [migrations.RunPython(create, drop)]
