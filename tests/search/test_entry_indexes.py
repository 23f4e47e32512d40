"""The index entries' lookups read an index, at any size of library (SQLite's plans)."""

import pytest
from django.db import connection

from search.models import SearchEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("the plans are read on SQLite (PostgreSQL picks a scan for a small table)")


def plan(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return " | ".join(str(row[-1]) for row in cursor.fetchall())


def test_a_page_is_found_by_its_url_through_an_index():
    """/api/similar/?url=… (similar.find_entry) scanned every entry: 36 ms at 100,000 pages."""
    query = SearchEntry.objects.filter(url="/cases/a/").order_by("pk")[:1]
    sql, params = query.query.sql_with_params()
    found = plan(sql, params)
    assert "USING INDEX search_searchentry_url" in found and "SCAN" not in found, found


def test_facet_values_of_pages_are_read_and_removed_through_the_unique_index():
    removed = plan("DELETE FROM search_searchfacetvalue WHERE entry_id IN (%s, %s)", [1, 2])
    assert "SEARCH search_searchfacetvalue USING" in removed and "SCAN" not in removed, removed
    read = plan(
        "SELECT entry_id, facet, value FROM search_searchfacetvalue WHERE entry_id IN (%s, %s) "
        "AND facet IN (%s) ORDER BY id",
        [1, 2, "issue"],
    )
    assert "SCAN search_searchfacetvalue" not in read, read
