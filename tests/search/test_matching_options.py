"""Matching asks the full-text index only for the options that decide which pages match
(search.ranking.matching_options); an option that holds another one's sequences only changes
scores. The pages matched must be exactly those every option matches, on SQLite and PostgreSQL."""

import pytest
from django.db import connection

from search.analysis import CHARS, WORDS, Sequence
from search.backends.database import DatabaseBackend, full_text_for
from search.ranking import matching_options
from tests.factories import CasePageFactory, publish

ESTATE = (Sequence(("物业",)),)
ESTATE_COMPANY = (Sequence(("物业", "业公", "公司")),)
ESTATE_AND_COMPANY = (Sequence(("物业",)), Sequence(("公司",)))


def test_an_option_holding_a_simpler_one_is_left_out():
    assert matching_options((ESTATE, ESTATE_COMPANY, ESTATE_AND_COMPANY)) == (ESTATE,)
    # A phrase holds its own words: the words alone, in any order, match every page it matches.
    assert matching_options((ESTATE_COMPANY, ESTATE_AND_COMPANY)) == (ESTATE_AND_COMPANY,)


def test_options_that_match_other_pages_are_all_kept_in_their_order():
    company = (Sequence(("公司",)),)
    in_chars = (Sequence(("物业",), CHARS),)  # another field: other columns
    split = (Sequence(("物",)), Sequence(("业",)))  # 物 and 业 apart do not hold 物业
    options = (company, ESTATE, in_chars, split)
    assert matching_options(options) == options
    assert matching_options((ESTATE, ESTATE)) == (ESTATE,)
    assert {s.field for option in matching_options(options) for s in option} == {WORDS, CHARS}


@pytest.fixture
def estate_pages(indexes):
    texts = [
        ("物业公司退出之后", "小区引入信托制物业，账目向业主公开。"),
        ("物业服务企业的考核", "街道对物业服务企业打分。"),
        ("业主委员会换届", "业委会与物业公司重新签约。"),
        ("公司与物业", "物业和公司分开写。"),
        ("居民议事会", "居民协商停车位。"),
    ]
    return [
        publish(CasePageFactory(parent=indexes["case"], title=title, summary=summary, live=False))
        for title, summary in texts
    ]


def ids_matching(options_of_each_word):
    """Page ids matching every word, each word by any of its options, asked of the database."""
    full_text = full_text_for(connection.vendor)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            expression = " AND ".join(
                "(" + full_text.options_expression(options) + ")" for options in options_of_each_word
            )
            cursor.execute("SELECT rowid FROM search_fulltext WHERE search_fulltext MATCH %s", [expression])
        else:
            parts = [full_text.options_condition(options) for options in options_of_each_word]
            cursor.execute(
                "SELECT rowid FROM search_fulltext WHERE " + " AND ".join(sql for sql, _ in parts),
                [param for _, params in parts for param in params],
            )
        return {page_id for (page_id,) in cursor.fetchall()}


@pytest.mark.parametrize("text", ["物业", "物业公司", "信托制物业", "业主委员会", "wuye", "居民 协商"])
def test_the_pages_matched_are_those_every_option_matches(estate_pages, text):
    backend = DatabaseBackend()
    words = backend.analyse(text)
    every_option = ids_matching([word.options() for word in words])
    assert every_option == ids_matching([matching_options(word.options()) for word in words])
    assert (
        set(backend.full_text.read_ids(connection.cursor(), *backend.full_text.ids_sql(words)))
        == every_option
    )
    assert every_option  # each query finds some of these pages


def test_common_words_are_matched_by_fewer_options(estate_pages):
    for text in ("物业", "信托制物业"):
        [word] = DatabaseBackend().analyse(text)
        assert len(matching_options(word.options())) < len(word.options()), text
