"""PostgreSQL: the full-text table no longer references search_searchentry.

The reference made `manage.py flush` (and transactional tests) fail: TRUNCATE refuses a table
another table references. The backend deletes full-text rows itself, and every query joins
search_searchentry, so a stray row is never seen.
"""

from django.db import migrations


def drop_reference(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE search_fulltext DROP CONSTRAINT IF EXISTS search_fulltext_rowid_fkey")


def add_reference(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DELETE FROM search_fulltext WHERE rowid NOT IN (SELECT page_id FROM search_searchentry)"
        )
        schema_editor.execute(
            "ALTER TABLE search_fulltext ADD CONSTRAINT search_fulltext_rowid_fkey FOREIGN KEY (rowid) "
            "REFERENCES search_searchentry (page_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED"
        )


class Migration(migrations.Migration):
    dependencies = [("search", "0003_pending_index_change")]
    operations = [migrations.RunPython(drop_reference, add_reference)]
