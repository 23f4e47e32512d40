"""The score tiers of a query, the same on every backend: exact matches of every word first, then
pages tagged with every word, then the loose matches (relaxed words, pinyin, near-synonyms)."""

from . import analysis
from .schema import EXACT_BONUS, TAG_BONUS


def word_options(word, strict, tags, scored=True):
    """The options of a word for one tier; for `tags`, only those matchable in the terms column;
    not `scored`: only those that say which pages match (`matching_options`)."""
    options = word.options(strict=strict or tags)
    if tags:
        options = tuple(o for o in options if all(s.field == analysis.WORDS for s in o))
    return options if scored else matching_options(options)


def _holds(tokens, part):
    """Whether `part` is a run of `tokens` (a phrase inside a phrase)."""
    return any(tokens[i : i + len(part)] == part for i in range(len(tokens) - len(part) + 1))


def matching_options(options):
    """The fewest of these options that match the same pages as all of them.

    An option each of whose sequences holds some sequence of another one, in the same field (物业
    服务企业 holds 物业), can only match pages the other matches: it changes scores, not which pages
    match. Asking only for the others spares the full-text index its costliest work (phrases,
    checked position by position), so this is what matching and the bonus tiers ask for; BM25
    still reads every option (backends/database.py).
    """
    kept = []
    for option in sorted(dict.fromkeys(options), key=lambda o: (sum(len(s.tokens) for s in o), len(o))):
        if not any(
            all(any(o.field == s.field and _holds(o.tokens, s.tokens) for o in option) for s in other)
            for other in kept
        ):
            kept.append(option)
    kept = set(kept)
    return tuple(o for o in dict.fromkeys(options) if o in kept)


def bonus_tiers(words):
    """(strict, tags, bonus) of the score bonuses that apply to this query."""
    tiers = []
    if any(word.loose for word in words) and all(word.exact for word in words):
        tiers.append((True, False, EXACT_BONUS))
    if any(word_options(word, True, True) for word in words):
        tiers.append((True, True, TAG_BONUS))
    return tiers
