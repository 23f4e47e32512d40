"""Search entries carry the reader's date label and the publication time (sort=newest).

Existing entries get them at the next `rebuild_search_index` (`make run` runs it). An Elasticsearch
index built before has a strict mapping without these fields: its recorded generation is
forgotten, so it is never searched again and is rebuilt in the background (search/health.py).
"""

from django.conf import settings
from django.db import migrations, models


def forget_elasticsearch_generations(apps, schema_editor):
    apps.get_model("search", "ElasticsearchGeneration").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('search', '0009_fulltext_pinyin_per_field'),
        migrations.swappable_dependency(settings.WAGTAIL_PAGE_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='searchentry',
            name='date_label',
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name='searchentry',
            name='published_at',
            field=models.CharField(blank=True, max_length=23),
        ),
        migrations.AddIndex(
            model_name='searchentry',
            index=models.Index(fields=['type', '-date', '-published_at', 'page'], name='search_entry_newest'),
        ),
        migrations.RunPython(forget_elasticsearch_generations, migrations.RunPython.noop),
    ]
