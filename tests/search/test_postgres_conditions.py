"""PostgreSQL's full-text conditions: matches of one column are asked as one tsquery (each @@ reads
the page's tsvector again), and that matches exactly the pages one @@ per sequence matches."""

import pytest
from django.db import connection

from search.backends.database import DatabaseBackend, PostgresFullText
from search.ranking import bonus_tiers, word_options

QUERIES = [
    "停车",
    "停车难",
    "居民 议事会",
    "老旧小区 停车",
    "业主委员会",
    "助老服务",
    "tingche",
    "xieshang yishihui",
    "居民 tingche",
    "养老 互助 居民",
    "社区花园",
    "不存在的词语",
]


def test_matches_of_one_column_become_one_tsquery_under_and_and_or():
    match = PostgresFullText.combined
    a, b = ("match", "words", "a"), ("match", "words", "b <-> c")
    pinyin = ("match", "pinyin", "ting <-> che")
    assert match("and", [a, b]) == ("match", "words", "(a) & (b <-> c)")
    assert match("or", [a, pinyin, b]) == ("or", (("match", "words", "(a) | (b <-> c)"), pinyin))
    assert match("and", [a]) == a
    # A nested condition of the same operator is flattened; one of the other is kept whole.
    assert match("and", [("and", (a, pinyin)), b]) == ("and", (("match", "words", "(a) & (b <-> c)"), pinyin))
    assert match("and", [a, ("or", (b, pinyin))]) == ("and", (a, ("or", (b, pinyin))))


def one_match_per_sequence(words, strict=False, tags=False):
    """The condition as it was written before: one @@ for every sequence."""
    clauses, params = [], []
    for word in words:
        options = word_options(word, strict, tags, scored=False)
        if not options:
            if tags:
                continue
            return None
        alternatives = []
        for option in options:
            parts = []
            for sequence in option:
                column = "words" if tags else PostgresFullText.COLUMNS[sequence.field]
                parts.append(f"{column} @@ to_tsquery('simple', %s)")
                params.append(PostgresFullText.tsquery(sequence, tags))
            alternatives.append("(" + " AND ".join(parts) + ")")
        clauses.append("(" + " OR ".join(alternatives) + ")")
    return (" AND ".join(clauses), params) if clauses else None


def rows(condition):
    if condition is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid FROM search_fulltext WHERE {condition[0]}", condition[1])
        return sorted(row[0] for row in cursor.fetchall())


@pytest.fixture
def on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's full-text conditions")


@pytest.mark.parametrize("search_backend", ["database"], indirect=True)
def test_one_tsquery_per_column_matches_the_same_pages(on_postgresql, library):
    backend, compared = DatabaseBackend(), 0
    for q in QUERIES:
        words = backend.analyse(q)
        tiers = [(False, False), *((strict, tags) for strict, tags, _ in bonus_tiers(words))]
        for strict, tags in tiers:
            expected = rows(one_match_per_sequence(words, strict, tags))
            assert rows(PostgresFullText.where(words, strict, tags)) == expected, (q, strict, tags)
            compared += bool(expected)
    assert compared >= 10  # most of them match something
