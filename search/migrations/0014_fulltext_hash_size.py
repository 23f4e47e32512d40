"""SQLite: FTS5 keeps up to 64 MiB of a transaction's new tokens in memory (1 MiB by default)
before writing them out as a segment, so a rebuild or a large import writes few, large segments
(backends/database.py, FTS5_HASH_BYTES). A setting of the table, kept in its _config table; a
small transaction still writes at its commit."""

from django.db import migrations

HASH_BYTES = {"forward": 64 * 1024 * 1024, "backward": 1024 * 1024}


def _set_hash_size(direction):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(
                "INSERT INTO search_fulltext (search_fulltext, rank) VALUES ('hashsize', %s)",
                [HASH_BYTES[direction]],
            )

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0013_entry_newest_first_index")]
    operations = [migrations.RunPython(_set_hash_size("forward"), _set_hash_size("backward"))]
