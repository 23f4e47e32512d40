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
