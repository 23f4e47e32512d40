"""Rebuilding the embedded index: everything is replaced in one transaction.

On SQLite the full-text table is emptied by dropping it and creating it again from its own
definition (far faster than deleting its rows), so the table must come back as it was, and a
rebuild that fails part way must leave the index it started from. Title suggestions are written
from keys made with the rows (on workers in a large rebuild)."""

import pytest
from django.db import connection

from search.backends.database import CONTENTLESS_DELETE_SINCE, FTS5_HASH_BYTES, DatabaseBackend
from search.checks import full_text_problems
from search.indexing import rebuild
from search.query import SearchQuery
from search.suggestions import suggest
from tests.factories import CasePageFactory, publish


@pytest.fixture
def cases(indexes):
    return [
        publish(CasePageFactory(parent=indexes["case"], title=title, summary=summary, live=False))
        for title, summary in [
            ("成都社区停车难的协商", "居民议事会商定车位轮换规则。"),
            ("助老服务队", "居民自发成立的互助队伍。"),
        ]
    ]


def fulltext_definition():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'search_fulltext'")
        else:
            cursor.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_name = 'search_fulltext' ORDER BY ordinal_position"
            )
        return cursor.fetchall()


def fulltext_hash_size():
    with connection.cursor() as cursor:
        cursor.execute("SELECT v FROM search_fulltext_config WHERE k = 'hashsize'")
        return cursor.fetchone()


def found(text):
    results = DatabaseBackend().search(SearchQuery(q=text, page_size=10))
    return sorted(hit.title for hit in results.hits)


def test_a_rebuild_gives_back_the_same_table_and_finds_every_page(cases):
    definition = fulltext_definition()
    before = {text: found(text) for text in ("停车", "居民", "互助", "tingche")}
    assert before["居民"] == ["助老服务队", "成都社区停车难的协商"]

    assert rebuild() == 2

    assert fulltext_definition() == definition
    assert {text: found(text) for text in before} == before


def test_the_full_text_table_buffers_large_writes_before_and_after_a_rebuild(cases):
    if connection.vendor != "sqlite":
        pytest.skip("an FTS5 setting")
    assert fulltext_hash_size() == (FTS5_HASH_BYTES,)  # set by the migration
    rebuild()
    assert fulltext_hash_size() == (FTS5_HASH_BYTES,)  # and again on the table made anew


def test_a_rebuild_in_several_batches_writes_its_tokens_out_once(cases, monkeypatch):
    """FTS5 writes out the tokens it holds at every savepoint: the batches must take none."""
    if connection.vendor != "sqlite":
        pytest.skip("FTS5 segments")
    from search import rebuilding

    monkeypatch.setattr(rebuilding, "BATCH_SIZE", 1)
    assert rebuild() == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(DISTINCT segid) FROM search_fulltext_idx")
        (segments,) = cursor.fetchone()
    assert segments <= 1  # held in memory still, or written once
    assert found("居民") == ["助老服务队", "成都社区停车难的协商"]


def test_where_sqlite_can_delete_from_it_the_full_text_table_keeps_only_its_index(cases):
    """Contentless (SQLite 3.43+): the rows' text is not stored, yet a changed page is found by its
    new words only, a removed one not at all, and BM25 still ranks (it reads the index)."""
    if connection.vendor != "sqlite" or connection.Database.sqlite_version_info < CONTENTLESS_DELETE_SINCE:
        pytest.skip("an FTS5 table of SQLite 3.43 or later")
    (definition,) = fulltext_definition()[0]
    assert "content = ''" in definition and "contentless_delete = 1" in definition
    with connection.cursor() as cursor:
        cursor.execute("SELECT title FROM search_fulltext")
        assert {title for (title,) in cursor.fetchall()} == {None}

    parking, helpers = cases
    parking.title = "成都社区车位共享的协商"
    publish(parking)
    helpers.unpublish()

    assert found("停车") == []
    assert found("共享") == ["成都社区车位共享的协商"]
    assert found("互助") == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT rowid FROM search_fulltext WHERE search_fulltext MATCH 'title : \"共享\"'")
        assert cursor.fetchall() == [(parking.pk,)]
    assert rebuild() == 1
    assert fulltext_definition()[0] == (definition,)
    assert DatabaseBackend().search(SearchQuery(q="协商", page_size=10)).hits[0].score > 0


def test_an_older_sqlite_is_told_it_cannot_open_a_contentless_table(cases):
    if connection.vendor != "sqlite" or connection.Database.sqlite_version_info < CONTENTLESS_DELETE_SINCE:
        pytest.skip("an FTS5 table of SQLite 3.43 or later")
    assert full_text_problems(connection, connection.Database.sqlite_version_info) == []
    (problem,) = full_text_problems(connection, (3, 40, 1))
    assert problem.id == "search.E001" and "SQLite 3.40.1" in problem.msg


def test_a_rebuild_that_fails_part_way_leaves_the_index_it_started_from(cases):
    def batches():
        from search import rebuilding
        from search.backends.database import entry_rows

        for task in rebuilding.page_batches():
            documents = rebuilding.batch_documents(task)
            yield entry_rows(documents), len(documents)
        raise RuntimeError("a worker died")

    with pytest.raises(RuntimeError, match="a worker died"):
        DatabaseBackend().rebuild_rows(batches())

    assert found("居民") == ["助老服务队", "成都社区停车难的协商"]
    assert found("tingche") == ["成都社区停车难的协商"]


def test_after_a_rebuild_titles_are_suggested_by_characters_pinyin_and_initials(cases):
    rebuild()
    for typed in ("成都社区", "成都社區", "chengdu she", "cdsq"):
        assert [s["text"] for s in suggest(typed)] == ["成都社区停车难的协商"], typed
