"""The embedded search index: one row per live page, its facet values, and a full-text table.

The full-text table is created by the migration for the database in use (SQLite FTS5 or a
PostgreSQL tsvector) and written in the same transaction as these rows.
"""

from django.db import models


class SearchEntry(models.Model):
    page = models.OneToOneField(
        "wagtailcore.Page", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    type = models.CharField(max_length=20, db_index=True)
    title = models.CharField(max_length=255)
    url = models.CharField(max_length=500)
    summary = models.TextField(blank=True)
    date = models.CharField(max_length=10, blank=True, db_index=True)
    body = models.TextField(blank=True)  # plain text, for snippets
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "搜索索引条目"

    def __str__(self):
        return self.title


class SearchFacetValue(models.Model):
    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="facet_values")
    facet = models.CharField(max_length=30)
    value = models.CharField(max_length=255)

    class Meta:
        indexes = [models.Index(fields=["facet", "value", "entry"], name="search_facet_value_entry")]
        constraints = [
            models.UniqueConstraint(fields=["entry", "facet", "value"], name="search_unique_facet_value")
        ]

    def __str__(self):
        return f"{self.facet}={self.value}"


class PendingIndexChange(models.Model):
    """A page whose Elasticsearch entry is behind its database entry (an outbox).

    Written in the same transaction as the page change and removed once Elasticsearch has the
    change, so a publish made while Elasticsearch is down is sent when it is back.
    """

    page_id = models.PositiveIntegerField(db_index=True)  # not a foreign key: deleted pages stay listed
    queued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "待同步的索引变更"

    def __str__(self):
        return f"page {self.page_id}"


class ElasticsearchGeneration(models.Model):
    """What the Elasticsearch index behind an alias should be: the generation of its last rebuild.

    The same marker is stored in the index's mapping (`_meta`). A cluster that restarted empty,
    or an index filled by another site or another rebuild, carries no marker or another one, and
    is never searched until it is rebuilt (search/health.py).
    """

    alias = models.CharField(max_length=255, unique=True)
    generation = models.CharField(max_length=32)
    index_name = models.CharField(max_length=255)
    document_count = models.PositiveIntegerField(default=0)
    built_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Elasticsearch 索引代次"

    def __str__(self):
        return f"{self.alias}: {self.generation}"
