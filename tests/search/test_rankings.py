"""Kept rankings (search/backends/rankings.py): a search answered by walking the whole ranked order
of its matches gives exactly what scoring only the shown pages gives, and an index change is seen
by the next search."""

import pytest

from search.backends import database, rankings
from search.backends.database import DatabaseBackend
from search.query import SearchQuery

QUERIES = ["", "停车", "居民", "议事会 协商", "tingche"]
FILTERS = [{}, {"issue": ["停车难"]}, {"region": ["四川省"]}, {"type": ["case"]}]


@pytest.fixture
def database_library(library, search_backend):
    if search_backend != "database":
        pytest.skip("kept rankings belong to the database backend")
    rankings.rankings.clear()
    rankings.matches.clear()
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
        nothing_kept.setattr(rankings.matches, "size", 0)
        nothing_kept.setattr(rankings.narrowed, "size", 0)  # every filtered search as the first
        nothing_kept.setattr(database, "WHOLE_RANKING_SHARE", 0)  # no share is enough to rank all
        nothing_kept.setattr(database, "NEWEST_WALK_SHARE", 0)  # no words: sorted in SQL, not walked
        expected = [answer(query) for query in every_query()]
    assert not rankings.rankings.items
    assert any(hits for _, hits, _ in expected) and any(len(hits) == 2 for _, hits, _ in expected)

    first = [answer(query) for query in every_query()]  # rankings made and kept
    assert rankings.rankings.items
    again = [answer(query) for query in every_query()]  # read from what was kept

    assert first == expected
    assert again == expected


def test_a_narrow_first_search_scores_only_its_pages_and_keeps_nothing(database_library, monkeypatch):
    monkeypatch.setattr(database, "WHOLE_RANKING_SHARE", 0)  # no share is enough to rank all
    narrow = answer(SearchQuery(q="居民", filters={"issue": ["停车难"]}))
    assert not rankings.rankings.items
    wide = answer(SearchQuery(q="居民"))  # no filter: every match is shown, so the whole ranking is kept
    assert len(rankings.rankings.items) == 1
    assert 0 < narrow[0] < wide[0]


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
