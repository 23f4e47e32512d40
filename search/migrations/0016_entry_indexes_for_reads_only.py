"""Index entries by URL (similar.find_entry scanned the table: 36 ms at 100,000 pages), and drop
three single-column indexes another index begins with: every index is written again for each
page a rebuild or an import writes.

SQLite's schema editor copies a whole table to alter any field; a change of `db_index` alone
needs only CREATE INDEX or DROP INDEX, which `AlterFieldIndex` does there.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Index


class AlterFieldIndex(migrations.AlterField):
    """AlterField for a change of `db_index` alone (backwards too: AlterField runs this swapped)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "sqlite":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        old = from_state.apps.get_model(app_label, self.model_name)._meta.get_field(self.name)
        new = model._meta.get_field(self.name)
        if old.db_index and not new.db_index:
            names = schema_editor._constraint_names(
                model,
                [old.column],
                index=True,
                type_=Index.suffix,
                exclude={index.name for index in model._meta.indexes},
            )
            for name in names:
                schema_editor.execute(schema_editor._delete_index_sql(model, name))
        elif new.db_index and not old.db_index:
            schema_editor.execute(schema_editor._create_index_sql(model, fields=[new]))


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0015_fulltext_contentless"),
    ]

    operations = [
        AlterFieldIndex(
            model_name="searchentry",
            name="date",
            field=models.CharField(blank=True, max_length=10),
        ),
        AlterFieldIndex(
            model_name="searchentry",
            name="type",
            field=models.CharField(max_length=20),
        ),
        AlterFieldIndex(
            model_name="searchentry",
            name="url",
            field=models.CharField(db_index=True, max_length=500),
        ),
        AlterFieldIndex(
            model_name="searchfacetvalue",
            name="entry",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="facet_values",
                to="search.searchentry",
            ),
        ),
    ]
