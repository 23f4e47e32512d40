"""The runs of token characters text is cut into, and the NFKC shortcut that finds them.

`analysis._runs` makes the characters NFKC would turn into plain separators (，：？ and the
ideographic space) spaces before folding, so most prose skips full normalisation; these tests
hold it to the plain rule, NFKC of the whole text, on every such character and seeded strings.
"""

import random

import pytest

from search import analysis


def plain_runs(text):
    return analysis._TOKEN_RE.findall(analysis.normalise(text))


SEPARATORS = sorted(set(analysis._separators_re().pattern) - set("[]\\"))

# Characters whose neighbours decide what a separator could change: Chinese (simplified,
# traditional, a compatibility ideograph), numbers and their wide forms, joiners, Latin letters
# with and without combining marks, and marks NFKC composes with what precedes them (= + ̸ → ≠).
NEIGHBOURS = [
    "社", "区", "停", "車", "\uf900", "3", "5", "３", "①", ".", "．", "-", "－", "/", "／", "·", "—",
    "a", "Ａ", "E", "é", "e\u0301", "\u0301", "\u0338", "=", "＝", "<", " ", "，", "。", "\u3000",
]  # fmt: skip


def test_separators_are_wide_punctuation_and_spaces_only():
    assert {"，", "：", "？", "！", "（", "）", "\u3000"} <= set(SEPARATORS)
    for char in ["．", "－", "／", "３", "Ａ", "\uf900", "①", "。", "、"]:
        assert char not in SEPARATORS


@pytest.mark.parametrize("separator", SEPARATORS)
def test_each_separator_cuts_runs_as_nfkc_does(separator):
    for before in NEIGHBOURS:
        for after in NEIGHBOURS:
            text = f"社区{before}{separator}{after}3"
            assert analysis._runs(text) == plain_runs(text), repr(text)


def test_seeded_strings_cut_as_nfkc_cuts_them():
    rng = random.Random(20261207)
    alphabet = NEIGHBOURS + SEPARATORS
    texts = ["".join(rng.choices(alphabet, k=rng.randint(1, 16))) for _ in range(20000)]
    assert [text for text in texts if analysis._runs(text) != plain_runs(text)] == []
