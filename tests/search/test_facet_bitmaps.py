"""The facet bitmaps follow every change of the embedded index, and only committed ones."""

import pytest
from django.db import connection, transaction

from search.backends import facet_bitmaps
from search.backends.database import DatabaseBackend
from search.models import SearchFacetValue


def as_sets(bitmaps):
    return set(bitmaps.entries), {
        facet: {value: set(pages) for value, pages in by_value.items()}
        for facet, by_value in bitmaps.values.items()
    }


def from_rows():
    """The same, read straight from the index's facet rows."""
    values = {}
    for page_id, facet, value in SearchFacetValue.objects.values_list("entry_id", "facet", "value"):
        values.setdefault(facet, {}).setdefault(value, set()).add(page_id)
    return values


def state():
    with connection.cursor() as cursor:
        cursor.execute("SELECT generation, stamp FROM search_searchindexstate WHERE id = 1")
        return cursor.fetchone()


@pytest.fixture
def database_library(library, search_backend):
    if search_backend != "database":
        pytest.skip("the bitmaps belong to the database backend")
    return library


def test_bitmaps_hold_the_facet_rows(database_library):
    entries, values = as_sets(facet_bitmaps.current())
    assert entries == {page.pk for page in database_library.values()}
    assert values == from_rows()


def test_a_removed_page_leaves_every_bitmap(database_library):
    parking = database_library["parking"].pk
    before = facet_bitmaps.current()
    assert parking in before.values["issue"]["停车难"]
    DatabaseBackend().remove([parking])
    after = facet_bitmaps.current()
    assert after.stamp != before.stamp
    assert parking not in after.entries and "停车难" not in after.values["issue"]
    assert as_sets(after)[1] == from_rows()
    assert parking in before.values["issue"]["停车难"]  # a search still holding the old ones is unaffected


def test_reading_only_the_changed_pages_gives_what_reading_everything_gives(database_library):
    before = facet_bitmaps.current()
    DatabaseBackend().remove([database_library["pets"].pk])
    DatabaseBackend().remove([database_library["elderly"].pk])
    generation, stamp = state()
    with connection.cursor() as cursor:
        changed = facet_bitmaps._refreshed(cursor, before, generation, stamp)
        loaded = facet_bitmaps._loaded(cursor, generation, stamp)
    assert as_sets(changed) == as_sets(loaded)
    assert database_library["pets"].pk not in changed.entries


def test_a_change_rolled_back_is_never_current(database_library):
    before = state()
    with pytest.raises(RuntimeError), transaction.atomic():
        DatabaseBackend().remove([database_library["parking"].pk])
        assert state() != before
        raise RuntimeError("undo")
    assert state() == before
    assert database_library["parking"].pk in facet_bitmaps.current().entries
