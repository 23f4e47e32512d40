"""The embedded search index: one row per live page, its facet values, and a full-text table.

The full-text table is created by the migration for the database in use (SQLite FTS5 or a
PostgreSQL tsvector) and written in the same transaction as these rows.
"""

from django.db import models


class SearchEntry(models.Model):
    page = models.OneToOneField(
        "wagtailcore.Page", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    # No index of its own on `type` or `date`: search_entry_newest and search_entry_newest_first
    # begin with them, and every index is written again for each page a rebuild writes.
    type = models.CharField(max_length=20)
    title = models.CharField(max_length=255)
    title_key = models.CharField(max_length=255, blank=True)  # the 标题 sort: SearchDocument.title_key
    url = models.CharField(max_length=500, db_index=True)  # similar.find_entry: a page by its URL
    summary = models.TextField(blank=True)
    date = models.CharField(max_length=10, blank=True)  # the reader's date, or ""
    date_label = models.CharField(max_length=100, blank=True)  # 2015年起, 发布日期：2018年6月
    published_at = models.CharField(max_length=23, blank=True)  # documents.publication_key
    body = models.TextField(blank=True)  # plain text, for snippets
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "搜索索引条目"
        indexes = [
            # A type's newest pages (the home page's lists) read in index order (schema.NEWEST_ORDER).
            models.Index(fields=["type", "-date", "-published_at", "page"], name="search_entry_newest"),
            # Ranking a search's matches reads only their sort keys: from this index, not from rows
            # whose long body pushes the later columns out to overflow pages (backends/database.py).
            models.Index(fields=["page", "date", "published_at", "title_key"], name="search_entry_order"),
            # Every page, newest first: a search without words reads its page of results off it.
            models.Index(fields=["-date", "-published_at", "page"], name="search_entry_newest_first"),
        ]

    def __str__(self):
        return self.title


class SearchFacetValue(models.Model):
    # Looked up by entry through search_unique_facet_value, which begins with it.
    entry = models.ForeignKey(
        SearchEntry, on_delete=models.CASCADE, related_name="facet_values", db_index=False
    )
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


class SearchSuggestion(models.Model):
    """A title or vocabulary term offered as the user types (GET /api/search/suggest/).

    Kept by the embedded backend in the transaction that indexes the page (search.suggestions).
    A page title has the page's id; a term (issue, region, actor …) has none and is offered while
    some indexed page carries it. The three keys are what a prefix is matched against.
    """

    page_id = models.PositiveIntegerField(null=True, db_index=True)  # like search_fulltext: no FK
    type = models.CharField(max_length=30)  # the page type (case …) or the facet (issue …)
    value = models.CharField(max_length=255)  # the facet value a term stands for
    text = models.CharField(max_length=255)
    url = models.CharField(max_length=500)
    key = models.CharField(max_length=255, db_index=True)  # folded text: 停車 → 停车
    pinyin = models.CharField(max_length=255, db_index=True)  # chengdushequ
    initials = models.CharField(max_length=255, db_index=True)  # cdsq

    class Meta:
        verbose_name = "搜索建议"
        constraints = [
            models.UniqueConstraint(
                fields=["type", "value"],
                condition=models.Q(page_id__isnull=True),
                name="search_unique_term_suggestion",
            )
        ]

    def __str__(self):
        return self.text


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


class SearchIndexState(models.Model):
    """The embedded index's generation: one row, bumped in the transaction of every index change.

    Each process keeps the facet values as bitmaps in memory (search/backends/facet_bitmaps.py);
    a search compares this row with what its bitmaps were built from, and reads only what changed.
    `stamp` is new at every change, so a change that was rolled back is never taken as current.
    """

    generation = models.BigIntegerField(default=0)
    stamp = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = "搜索索引版本"

    def __str__(self):
        return f"generation {self.generation}"


class SearchIndexChange(models.Model):
    """Which pages one generation of the embedded index changed (page_id empty: everything)."""

    generation = models.BigIntegerField(db_index=True)
    stamp = models.CharField(max_length=32)
    page_id = models.PositiveIntegerField(null=True)

    class Meta:
        verbose_name = "搜索索引变更"

    def __str__(self):
        return f"generation {self.generation}: page {self.page_id or 'all'}"


class SearchFacetSnapshot(models.Model):
    """The facet bitmaps of one generation, serialised: what a process starting cold reads.

    Building the bitmaps from the facet rows takes a second at 100,000 pages (a million rows), and
    every new process (a server start, each gunicorn worker, recycled every couple of thousand
    requests) would pay it on its first search. The bitmaps themselves are 1.5 MB and read in a
    millisecond. One row, written in the transaction of the index change it describes
    (search/backends/facet_bitmaps.py), so it is never ahead of what was committed.
    """

    generation = models.BigIntegerField()
    stamp = models.CharField(max_length=32)
    data = models.BinaryField()

    class Meta:
        verbose_name = "搜索分面快照"

    def __str__(self):
        return f"facet snapshot of generation {self.generation}"
