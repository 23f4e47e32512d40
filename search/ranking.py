"""The score tiers of a query, the same on every backend: exact matches of every word first, then
pages tagged with every word, then the loose matches (relaxed words, pinyin, near-synonyms)."""

from . import analysis
from .schema import EXACT_BONUS, TAG_BONUS


def word_options(word, strict, tags):
    """The options of a word for one tier; for `tags`, only those matchable in the terms column."""
    options = word.options(strict=strict or tags)
    if tags:
        options = tuple(o for o in options if all(s.field == analysis.WORDS for s in o))
    return options


def bonus_tiers(words):
    """(strict, tags, bonus) of the score bonuses that apply to this query."""
    tiers = []
    if any(word.loose for word in words) and all(word.exact for word in words):
        tiers.append((True, False, EXACT_BONUS))
    if any(word_options(word, True, True) for word in words):
        tiers.append((True, True, TAG_BONUS))
    return tiers
