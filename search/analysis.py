"""Chinese text analysis shared by every search backend.

Chinese has no spaces between words, so text is cut into overlapping character pairs (bigrams):
"加装电梯" → 加装 装电 电梯. A query word matches when its pairs appear in sequence, which finds
two-character words (停车) and longer ones (信托制物业) inside running text without a dictionary.
Single characters are indexed separately, for one-character queries. Latin words and numbers are
kept whole. Both backends index exactly these tokens, so they match exactly the same pages.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CJK_CHAR = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Marks that join the parts of one name rather than separate words: 还权·赋能·归位, 单点切入—横向拓展.
_JOINERS_RE = re.compile(rf"(?<=[{CJK_CHAR}])[·•・‧—–\-/]+(?=[{CJK_CHAR}])")
_TOKEN_RE = re.compile(rf"[{CJK_CHAR}]+|[0-9a-z]+(?:[.\-][0-9a-z]+)*")
SYNONYMS_FILE = Path(__file__).with_name("synonyms.txt")


def normalise(text):
    """Full-width to half-width, lower case, joiners between Chinese characters removed."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return _JOINERS_RE.sub("", text)


def _runs(text):
    return _TOKEN_RE.findall(normalise(text))


def _is_cjk(run):
    return run[0] >= "\u3400"


def word_tokens(text):
    """Tokens of running text, in order: bigrams for Chinese runs, whole Latin words and numbers."""
    tokens = []
    for run in _runs(text):
        if _is_cjk(run) and len(run) > 1:
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            tokens.append(run)
    return tokens


def char_tokens(text):
    """Every Chinese character on its own: matches one-character queries."""
    return [char for run in _runs(text) if _is_cjk(run) for char in run]


def index_text(text):
    return " ".join(word_tokens(text))


def index_chars(text):
    return " ".join(char_tokens(text))


@cache
def synonym_groups():
    groups = {}
    for line in SYNONYMS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        members = [normalise(m).strip() for m in line.split(",") if m.strip()]
        for member in members:
            groups.setdefault(member, [])
            groups[member].extend(m for m in members if m not in groups[member])
    return groups


@dataclass(frozen=True)
class QueryWord:
    """One word of a query: it matches a page when any of its alternatives does."""

    text: str
    alternatives: tuple  # each a tuple of tokens that must appear in sequence
    single_char: bool = False
    # Looser forms for compound words: 议事规则 also matches 议事程序与规则. Each is a tuple of
    # two-character parts that must all appear, in any order; such matches rank below exact ones.
    relaxed: tuple = ()


RELAX_MIN_LENGTH = 4


def relaxed_parts(form):
    """议事规则 → (议事, 规则); 社区基金会 → (社区, 基金, 金会): the whole word, in halves."""
    if len(form) < RELAX_MIN_LENGTH or not all(_is_cjk(char) for char in form):
        return ()
    parts = [form[i : i + 2] for i in range(0, len(form) - 1, 2)]
    if len(form) % 2:
        parts.append(form[-2:])
    return tuple(parts)


_QUERY_SEPARATOR_RE = re.compile(rf"[^0-9a-z{CJK_CHAR}]+")


def parse_query(query):
    """Query words, each expanded with its synonyms; spaces and punctuation separate words.

    Every word must match. A word mixing scripts (e家亲) stays one word: its tokens in sequence.
    """
    words = []
    for part in _QUERY_SEPARATOR_RE.split(normalise(query)):
        if not part:
            continue
        if len(part) == 1 and _is_cjk(part):
            words.append(QueryWord(part, ((part,),), single_char=True))
            continue
        forms = [part] + [alt for alt in synonym_groups().get(part, []) if alt != part]
        alternatives = tuple(dict.fromkeys(tuple(word_tokens(form)) for form in forms))
        relaxed = tuple(r for r in dict.fromkeys(relaxed_parts(form) for form in forms) if r)
        words.append(QueryWord(part, alternatives, relaxed=relaxed))
    return words


def highlight_terms(words):
    """The strings to mark in a snippet: each query word and its synonyms, longest first."""
    terms = set()
    for word in words:
        terms.add(word.text)
        terms.update(synonym_groups().get(word.text, []))
    return sorted(terms, key=len, reverse=True)
