"""Kept rankings (search/backends/rankings.py): a search answered by walking the whole ranked order
of its matches gives exactly what scoring only the shown pages gives, and an index change is seen
by the next search."""

import pytest
from django.db import connection

from search.backends import database, facet_bitmaps, rankings
from search.backends.database import DatabaseBackend, SqliteFullText
from search.query import SearchQuery

QUERIES = ["", "停车", "居民", "议事会 协商", "tingche"]
FILTERS = [{}, {"issue": ["停车难"]}, {"region": ["四川省"]}, {"type": ["case"]}]


@pytest.fixture
def database_library(library, search_backend):
    if search_backend != "database":
        pytest.skip("kept rankings belong to the database backend")
    rankings.forget()
    return library


def answer(query):
    results = DatabaseBackend().search(query)
    hits = [(hit.page_id, round(hit.score, 9), hit.title, hit.highlight, hit.fields) for hit in results.hits]
    facets = {name: [value.as_json() for value in values] for name, values in results.facets.items()}
    return results.total, hits, facets


def every_query():
    for q in QUERIES:
        for filters in FILTERS:
            for sort in ("relevance", "newest", "title"):
                for page in (1, 2, 3):
                    yield SearchQuery(q=q, filters=filters, sort=sort, page=page, page_size=2)


def test_walking_a_kept_ranking_gives_what_scoring_the_shown_pages_gives(database_library, monkeypatch):
    with monkeypatch.context() as nothing_kept:
        nothing_kept.setattr(rankings.rankings, "size", 0)
        nothing_kept.setattr(rankings.narrow, "size", 0)
        nothing_kept.setattr(rankings.matches, "size", 0)  # words and bonus tiers matched every time
        nothing_kept.setattr(database, "WHOLE_RANKING_SHARE", 0)  # no share is enough to rank all
        nothing_kept.setattr(database, "NEWEST_WALK_SHARE", 0)  # no words: sorted in SQL, not walked
        expected = [answer(query) for query in every_query()]
    assert not rankings.rankings.items and not rankings.narrow.items
    assert any(hits for _, hits, _ in expected) and any(len(hits) == 2 for _, hits, _ in expected)

    first = [answer(query) for query in every_query()]  # rankings made and kept
    assert rankings.rankings.items
    again = [answer(query) for query in every_query()]  # read from what was kept

    assert first == expected
    assert again == expected


def test_a_narrow_search_ranks_only_its_pages_and_keeps_that_for_its_next_pages(
    database_library, monkeypatch
):
    monkeypatch.setattr(database, "WHOLE_RANKING_SHARE", 0)  # no share is enough to rank all
    first = answer(SearchQuery(q="居民", filters={"region": ["四川省"]}, page_size=1))
    assert not rankings.rankings.items
    [(_, kept)] = rankings.narrow.items.items()
    assert len(kept.ids) == first[0]  # its own pages, every one of them

    second_page = answer(SearchQuery(q="居民", filters={"region": ["四川省"]}, page=2, page_size=1))
    assert len(rankings.narrow.items) == 1 and not rankings.rankings.items
    assert second_page[1] and second_page[1] != first[1]
    answer(SearchQuery(q="居民", filters={"type": ["case"]}))  # narrowing again: its own pages again
    assert len(rankings.narrow.items) == 2 and not rankings.rankings.items

    wide = answer(SearchQuery(q="居民"))  # no filter: every match is shown, so the whole ranking is kept
    assert len(rankings.rankings.items) == 1
    assert 0 < first[0] < wide[0]


def test_bonus_tiers_read_as_ids_score_what_matching_them_in_the_statement_scores(database_library):
    """A narrow search adds the bonus of each tier from its kept ids (SQLite): the same scores,
    to the last bit, as the statement that matches the tiers itself."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL reads tiers in the statement alone")
    backend, full_text = DatabaseBackend(), SqliteFullText()
    entries = facet_bitmaps.current().entries
    compared = 0
    with connection.cursor() as cursor:
        for q in ["停车", "议事会 协商", "老旧小区", "tingche", "居民"]:
            words = backend.analyse(q)
            tiers = [
                (backend.full_text.read_ids(cursor, sql, params), bonus)
                for sql, params, bonus in full_text.tier_sqls(words)
            ]
            restrict = full_text.restrict(entries)
            cursor.execute(*full_text.matched_sql(words, restrict))
            joined = sorted(cursor.fetchall())
            cursor.execute(*full_text.matched_sql(words, restrict, tiers))
            assert sorted(cursor.fetchall()) == joined, q
            compared += any(
                set(ids) & {page_id for page_id, _ in joined} for ids, _ in tiers
            )  # a bonus given
    assert compared >= 2


def test_an_index_change_is_seen_by_the_next_search(database_library):
    query = SearchQuery(q="停车")
    total, hits, _ = answer(query)
    removed = hits[0][0]
    assert answer(query)[1] == hits  # kept

    DatabaseBackend().remove([removed])

    after_total, after_hits, _ = answer(query)
    assert after_total == total - 1
    assert removed not in [page_id for page_id, *_ in after_hits]


def test_the_least_recently_used_ranking_goes_first():
    kept = rankings.Kept(2)
    kept.put("a", 1)
    kept.put("b", 2)
    assert kept.get("a") == 1  # now the most recently used
    kept.put("c", 3)
    assert (kept.get("a"), kept.get("b"), kept.get("c")) == (1, None, 3)


def test_a_page_of_a_ranking_skips_and_keeps_only_shown_pages():
    ranking = rankings.Ranking.from_rows([(5, 3.0), (2, 2.5), (9, 2.0), (4, None), (7, 1.0)])
    assert ranking.page({2, 4, 7}, offset=1, size=2) == [(4, 0.0), (7, 1.0)]
    assert ranking.page(set(), offset=0, size=2) == []
    assert ranking.page(None, offset=3, size=5, every=True) == [(4, 0.0), (7, 1.0)]


def test_a_search_without_words_walks_the_newest_pages_in_steps(database_library, monkeypatch):
    """Facets alone read pages newest first off an index: the same pages, at every step size."""
    queries = [
        SearchQuery(q="", filters=filters, sort=sort, page=page, page_size=2)
        for filters in FILTERS
        for sort in ("relevance", "newest")
        for page in (1, 2, 3, 9)
    ]
    with monkeypatch.context() as sorted_in_sql:
        sorted_in_sql.setattr(database, "NEWEST_WALK_SHARE", 0)
        sorted_in_sql.setattr(rankings.rankings, "size", 0)
        expected = [answer(query) for query in queries]
    assert any(len(hits) == 2 for _, hits, _ in expected) and any(not hits for _, hits, _ in expected)
    for step in (1, 2, 500):
        monkeypatch.setattr(database, "WALK_STEP", step)
        monkeypatch.setattr(database, "NEWEST_WALK_SHARE", 10**6)  # every one of them walked
        assert [answer(query) for query in queries] == expected, step
    assert not rankings.rankings.items  # a walk keeps nothing
