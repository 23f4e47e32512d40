"""The facet bitmaps follow every change of the embedded index, and only committed ones."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from pyroaring import BitMap

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


# The snapshot a cold process reads ------------------------------------------------------------

FULL_READ = "FROM search_searchfacetvalue ORDER BY"  # _loaded: every facet row


def snapshot_state():
    with connection.cursor() as cursor:
        cursor.execute("SELECT generation, stamp FROM search_searchfacetsnapshot WHERE id = 1")
        return cursor.fetchone()


def cold_read():
    """What a process with nothing in memory reads now, and whether it read every facet row."""
    generation, stamp = state()
    with CaptureQueriesContext(connection) as queries, connection.cursor() as cursor:
        bitmaps = facet_bitmaps._refreshed(cursor, None, generation, stamp)
    return bitmaps, any(FULL_READ in query["sql"] for query in queries.captured_queries)


def loaded():
    generation, stamp = state()
    with connection.cursor() as cursor:
        return facet_bitmaps._loaded(cursor, generation, stamp)


def test_a_change_leaves_a_snapshot_a_cold_process_reads_instead_of_the_facet_rows(
    database_library, monkeypatch
):
    monkeypatch.setattr(facet_bitmaps, "SNAPSHOT_EVERY", 1)
    DatabaseBackend().remove([database_library["pets"].pk])
    assert snapshot_state() == state()
    bitmaps, read_everything = cold_read()
    assert not read_everything
    assert (bitmaps.generation, bitmaps.stamp) == state()
    assert as_sets(bitmaps) == as_sets(loaded())
    assert database_library["pets"].pk not in bitmaps.entries


def test_a_cold_process_adds_the_pages_changed_since_the_snapshot(database_library, monkeypatch):
    monkeypatch.setattr(facet_bitmaps, "SNAPSHOT_EVERY", 1)
    DatabaseBackend().remove([database_library["pets"].pk])
    monkeypatch.setattr(facet_bitmaps, "SNAPSHOT_EVERY", 3)
    kept = snapshot_state()
    DatabaseBackend().remove([database_library["parking"].pk])
    DatabaseBackend().remove([database_library["elderly"].pk])
    assert snapshot_state() == kept != state()  # two generations behind: recent enough
    bitmaps, read_everything = cold_read()
    assert not read_everything
    assert as_sets(bitmaps) == as_sets(loaded())
    assert database_library["parking"].pk not in bitmaps.entries
    DatabaseBackend().remove([database_library["pets"].pk, database_library["parking"].pk])
    assert snapshot_state() == state()  # the third: written again


def test_a_snapshot_far_behind_in_pages_is_written_again(database_library, monkeypatch):
    monkeypatch.setattr(facet_bitmaps, "SNAPSHOT_EVERY", 1)
    DatabaseBackend().remove([database_library["pets"].pk])
    monkeypatch.setattr(facet_bitmaps, "SNAPSHOT_EVERY", 100)
    monkeypatch.setattr(facet_bitmaps, "SNAPSHOT_PAGES", 1)
    kept = snapshot_state()
    DatabaseBackend().remove([database_library["parking"].pk])
    assert snapshot_state() == kept
    DatabaseBackend().remove([database_library["elderly"].pk])
    assert snapshot_state() == state()


def test_a_rebuild_leaves_the_snapshot_of_its_index(database_library):
    from search.indexing import rebuild

    rebuild()
    assert snapshot_state() == state()
    bitmaps, read_everything = cold_read()
    assert not read_everything
    assert as_sets(bitmaps) == as_sets(loaded())
    assert as_sets(bitmaps)[0] == {page.pk for page in database_library.values()}


def test_a_snapshot_older_than_the_kept_changes_is_not_used(database_library, monkeypatch):
    monkeypatch.setattr(facet_bitmaps, "SNAPSHOT_EVERY", 1)
    DatabaseBackend().remove([database_library["pets"].pk])
    monkeypatch.setattr(facet_bitmaps, "SNAPSHOT_EVERY", 100)
    DatabaseBackend().clear()  # the change rows before it are gone
    bitmaps, read_everything = cold_read()
    assert read_everything
    assert not bitmaps.entries


def test_a_snapshot_of_a_rolled_back_change_is_never_read(database_library, monkeypatch):
    monkeypatch.setattr(facet_bitmaps, "SNAPSHOT_EVERY", 1)
    DatabaseBackend().remove([database_library["pets"].pk])
    kept = snapshot_state()
    with pytest.raises(RuntimeError), transaction.atomic():
        DatabaseBackend().remove([database_library["parking"].pk])
        assert snapshot_state() == state() != kept
        raise RuntimeError("undo")
    assert snapshot_state() == kept == state()
    assert database_library["parking"].pk in cold_read()[0].entries


@pytest.mark.parametrize("damage", [b"not a snapshot", "truncated", "longer"])
def test_a_damaged_snapshot_is_ignored(database_library, monkeypatch, caplog, damage):
    monkeypatch.setattr(facet_bitmaps, "SNAPSHOT_EVERY", 1)
    DatabaseBackend().remove([database_library["pets"].pk])
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM search_searchfacetsnapshot WHERE id = 1")
        data = bytes(cursor.fetchone()[0])
        damaged = {"truncated": data[:-3], "longer": data + b"\0"}.get(damage, damage)
        cursor.execute("UPDATE search_searchfacetsnapshot SET data = %s WHERE id = 1", [damaged])
    with pytest.raises(ValueError):
        facet_bitmaps.decode(0, "", damaged)
    bitmaps, read_everything = cold_read()
    assert read_everything
    assert as_sets(bitmaps) == as_sets(loaded())
    assert "Ignoring the facet bitmap snapshot" in caplog.text


def test_the_snapshot_holds_every_bitmap_as_it_was():
    bitmaps = facet_bitmaps.FacetBitmaps(
        generation=7,
        stamp="abc",
        entries=BitMap([1, 2, 3, 70_000]),
        values={
            "issue": {"停车难": BitMap([1, 70_000]), "养老": BitMap([2])},
            "region": {"成都市": BitMap([3])},
        },
    )
    again = facet_bitmaps.decode(7, "abc", facet_bitmaps.encode(bitmaps))
    assert as_sets(again) == as_sets(bitmaps)


def test_removing_no_pages_is_no_change(database_library):
    before = state()
    DatabaseBackend().remove([])
    assert state() == before
