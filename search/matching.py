"""Every page a search matches, as ids in the search's own order: for exports and search feeds.

The search page reads one page of results with its facets; an export needs up to 10,000 ids and
no facets. Each backend answers with one statement (one request on Elasticsearch) built from the
same matching and filtering pieces as its search, so an export lists exactly the pages the search
page counts, in the same order. Elasticsearch falls back to the database as searches do.
"""

from dataclasses import dataclass

from django.db import connection
from elasticsearch_dsl import Q, Search

from . import health, reading
from .backends.database import DatabaseBackend, order_sql
from .backends.elasticsearch import UNAVAILABLE_ERRORS, ElasticsearchBackend, SearchUnavailable, sort_clauses
from .models import SearchEntry
from .query import MAX_RESULT_WINDOW
from .schema import NEWEST_ORDER


@dataclass
class Matches:
    total: int  # every matching page, even beyond the limit
    entries: list  # [(page_id, type key)], in the search's order, at most the limit
    backend: str


def answer(on_elasticsearch, on_database):
    """Call the Elasticsearch reader when the cluster is current and up, else the database one."""
    if reading.elasticsearch_current():
        try:
            return on_elasticsearch(ElasticsearchBackend())
        except (SearchUnavailable, *UNAVAILABLE_ERRORS) as error:
            health.mark_unavailable(error)
    return on_database(DatabaseBackend())


def matching(query, limit=MAX_RESULT_WINDOW):
    """Matches of a validated SearchQuery (its page and page size are ignored)."""
    limit = min(limit, MAX_RESULT_WINDOW)
    return answer(
        lambda backend: _elasticsearch_matches(backend, query, limit),
        lambda backend: _database_matches(backend, query, limit),
    )


def _database_matches(backend, query, limit):
    words = backend.analyse(query.q)
    if words:
        matched_sql, params = backend.full_text.matched_sql(words)
    else:
        matched_sql, params = "SELECT page_id AS id, 0.0 AS score FROM search_searchentry", []
    clauses = []
    for facet, values in query.filters.items():
        marks = ", ".join(["%s"] * len(values))
        clauses.append(
            f"m.id IN (SELECT entry_id FROM search_searchfacetvalue WHERE facet = %s AND value IN ({marks}))"
        )
        params = params + [facet, *values]
    where = " AND ".join(clauses) or "1 = 1"
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH m AS MATERIALIZED ({matched_sql}) SELECT e.page_id, e.type "
            f"FROM m JOIN search_searchentry e ON e.page_id = m.id WHERE {where} "
            f"ORDER BY {order_sql(query.sort)} LIMIT %s",
            params + [limit + 1],
        )
        entries = cursor.fetchall()
        total = len(entries)
        if total > limit:
            cursor.execute(
                f"WITH m AS MATERIALIZED ({matched_sql}) SELECT COUNT(*) "
                f"FROM m JOIN search_searchentry e ON e.page_id = m.id WHERE {where}",
                params,
            )
            total = cursor.fetchone()[0]
    return Matches(total=total, entries=[tuple(row) for row in entries[:limit]], backend=backend.name)


def _elasticsearch_matches(backend, query, limit):
    words = backend.analyse(query.q)
    search = Search(using=backend.client, index=backend.alias).query(
        Q("bool", must=[backend.text_query(words)], filter=[backend.filter_query(query.filters)])
    )
    search = search.sort(*sort_clauses(query.sort))
    search = search.source(["page_id", "type"]).extra(from_=0, size=limit, track_total_hits=True)
    response = search.execute()
    entries = [(hit.page_id, hit.type) for hit in response.hits]
    return Matches(total=response.hits.total.value, entries=entries, backend=backend.name)


def newest_ids(type_key, limit):
    """The ids of the `limit` newest pages of one type, in the order of `?type=…&sort=newest`.

    Read from the database index (kept in every page change's transaction, whichever backend
    answers searches) along its `search_entry_newest` index: a few rows, at any size of site.
    """
    return list(newest_entries(type_key).values_list("page_id", flat=True)[:limit])


def newest_entries(type_key):
    """The index entries of one type, newest first (schema.NEWEST_ORDER, then the page id)."""
    order = [f"-{column}" for column in NEWEST_ORDER]
    return SearchEntry.objects.filter(type=type_key).order_by(*order, "page_id")
