"""The pinyin a page is indexed by: one syllable per character, pairs fixing heteronyms.

The index reads a whole field at once and only visits pairs that change a reading
(analysis._pair_fixes); these tests hold it to the plain rule, character by character.
"""

import random

from search import analysis


def plain_reading(text):
    """The rule as stated: each character's own reading, then every pair left to right (a later
    pair reads the character it shares with an earlier one), characters without one dropped."""
    readings, pairs = analysis._char_readings(), analysis._pair_readings()
    syllables = []
    for run in analysis._runs(text):
        if not analysis._is_cjk(run):
            continue
        run_syllables = [readings.get(char, "") for char in run]
        for i in range(len(run) - 1):
            pair = pairs.get(run[i : i + 2])
            if pair:
                run_syllables[i], run_syllables[i + 1] = pair
        syllables.extend(s for s in run_syllables if s)
    return " ".join(syllables)


def test_pairs_read_heteronyms_as_the_word_does():
    assert analysis.index_pinyin("成都银行的长者") == "cheng du yin hang de zhang zhe"
    assert analysis.run_syllables("银行行长") == ["yin", "hang", "hang", "zhang"]


def test_runs_are_read_apart_and_latin_words_are_skipped():
    # 银 ends one run and 行 starts the next: no pair spans them.
    assert analysis.index_pinyin("银，行") == "yin xing"
    assert analysis.index_pinyin("停车 app 2024 停車") == "ting che ting che"


def overlapping_pairs():
    """Three characters ABC where AB and BC are pairs reading B differently."""
    pairs = analysis._pair_readings()
    by_first = {}
    for pair in pairs:
        by_first.setdefault(pair[0], []).append(pair)
    for ab, (_, b_in_ab) in pairs.items():
        for bc in by_first.get(ab[1], []):
            if pairs[bc][0] != b_in_ab:
                yield ab + bc[1]


def test_a_later_pair_reads_the_shared_character():
    texts = list(overlapping_pairs())[:200]
    assert texts
    for text in texts:
        assert analysis.index_pinyin(text) == plain_reading(text), text
        assert " ".join(filter(None, analysis.run_syllables(text))) == plain_reading(text), text


def test_every_field_reads_as_the_plain_rule():
    """Seeded strings of heteronym pairs, overlapping, broken by punctuation, Latin and
    characters without a reading, through what the index writes (index_fields)."""
    rng = random.Random(20261207)
    pairs = list(analysis._pair_readings())
    breaks = ["，", "a", "1", " ", "\u3400", "\u9fff", "\uf900"]
    for _ in range(2000):
        text = "".join(rng.choice(pairs) for _ in range(rng.randrange(1, 8)))
        text = "".join(char if rng.random() > 0.1 else rng.choice(breaks) for char in text)
        tokens = analysis.index_fields({"title": text, "body": text * 2})
        assert tokens["pinyin_title"] == plain_reading(text), text
        assert tokens["pinyin_body"] == plain_reading(text * 2), text
        assert analysis.pinyin_tokens(text) == plain_reading(text).split(), text
