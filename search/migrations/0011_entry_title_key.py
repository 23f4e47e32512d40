from django.db import migrations, models


def fill_title_keys(apps, schema_editor):
    """Existing entries get the key their next indexing would write (search.documents.title_key)."""
    from search.analysis import pinyin_key
    from search.schema import TITLE_KEY_LENGTH

    SearchEntry = apps.get_model("search", "SearchEntry")
    batch = []
    for entry in SearchEntry.objects.only("pk", "title").iterator(chunk_size=2000):
        entry.title_key = pinyin_key(entry.title).lower()[:TITLE_KEY_LENGTH]
        batch.append(entry)
        if len(batch) == 2000:
            SearchEntry.objects.bulk_update(batch, ["title_key"])
            batch = []
    SearchEntry.objects.bulk_update(batch, ["title_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0010_entry_reader_date"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="title_key",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.RunPython(fill_title_keys, migrations.RunPython.noop),
    ]
