"""Chinese text analysis shared by every search backend.

Chinese has no spaces between words, so text is cut into overlapping character pairs (bigrams):
"加装电梯" → 加装 装电 电梯. A query word matches when its pairs appear in sequence, which finds
two-character words (停车) and longer ones (信托制物业) inside running text without a dictionary.
Single characters are indexed separately, for one-character queries. Latin words and numbers are
kept whole. Traditional characters are folded to simplified ones (OpenCC's t2s data) in text
and queries alike, so 停車 and 停车 are one word. Every Chinese character is also indexed as its
toneless pinyin syllable, so a Latin-letter query that reads as pinyin (tingche, jia zhuang dian
ti) finds the words it spells. Both backends index exactly these tokens, so they match exactly the
same pages.

A parsed query is a list of QueryWord: every word must match. A word matches through one of its
options; an option is a few Sequences that must all appear (in any order); a Sequence is tokens
that must appear in a row in one kind of field (bigram words, single characters or pinyin).
Options come in tiers: `exact` ones rank above `loose` ones (the halves of a compound word,
near-synonyms, pinyin), and `fallback` ones are used only when a word finds nothing at all
(停车位 → 停车 + 车位), which the search page then says.
"""

import itertools
import operator
import re
import string
import unicodedata
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from pathlib import Path

import opencc

CJK_CHAR = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Marks that join the parts of one name rather than separate words: 还权·赋能·归位, 单点切入—横向拓展.
_JOINERS_RE = re.compile(rf"(?<=[{CJK_CHAR}])[·•・‧—–\-/]+(?=[{CJK_CHAR}])")
_TOKEN_RE = re.compile(rf"[{CJK_CHAR}]+|[0-9a-z]+(?:[.\-][0-9a-z]+)*")
SYNONYMS_FILE = Path(__file__).with_name("synonyms.txt")

# Fields a Sequence is looked for in: what every backend indexes (see documents.SearchDocument).
WORDS, CHARS, PINYIN = "words", "chars", "pinyin"


# -- folding ----------------------------------------------------------------------------------


@cache
def _t2s():
    # The `opencc` wheel (OpenCC's C++ library and data): 63× faster than the pure-Python
    # opencc-python-reimplemented with the same output on our samples (8.1 M vs 0.13 M chars/s).
    return opencc.OpenCC("t2s")


def to_simplified(text):
    """Traditional characters to simplified ones, by OpenCC's phrase-aware t2s tables."""
    return _t2s().convert(text) if text else ""


def normalise(text):
    """Full-width to half-width, lower case, simplified characters, joiners between Chinese removed."""
    text = to_simplified(unicodedata.normalize("NFKC", text or "").lower())
    return _JOINERS_RE.sub("", text)


@lru_cache(maxsize=4096)
def fold_in_place(text):
    """The text lower-cased and simplified character by character: same length, same positions.

    For marking matches in the text as the page wrote it (a traditional 停車 marked for 停车).
    Kept for the texts read most: a page's summary and body are folded again for every search
    that shows it (most of a search's time after its SQL), and the result never changes.
    """
    folded = to_simplified(text.lower())
    if len(folded) == len(text) and len(text.lower()) == len(text):
        return folded
    return "".join(_fold_char(char) for char in text)


def _fold_char(char):
    folded = to_simplified(char.lower())
    return folded if len(folded) == 1 else char


def _runs(text):
    """The runs of token characters of the text (Chinese runs, Latin words, numbers), folded."""
    return _TOKEN_RE.findall(normalise(_separators_re().sub(" ", text or "")))


@cache
def _separators_re():
    """Characters that NFKC turns into nothing but ASCII spaces and punctuation no token or joiner
    reads (，：？（）and the ideographic space): a run of text breaks at them either way.

    `_runs` makes them spaces before `normalise`, so prose whose only wide characters are its
    punctuation passes NFKC's quick check instead of being normalised in full (NFKC was a quarter
    of a rebuild's text analysis). Only runs are read off the result, and they are the same.
    """
    breaking = set(string.punctuation + " ") - set(".-/")  # . and - join numbers; / is a joiner
    separators = []
    for code in range(0x80, 0x10000):
        char = chr(code)
        if unicodedata.is_normalized("NFKC", char):  # the quick check: 4 ms for the whole plane
            continue
        image = unicodedata.normalize("NFKC", char)
        if (
            not unicodedata.combining(char)
            and set(image) <= breaking
            and char.lower() == char
            and to_simplified(char) == char
        ):
            separators.append(char)
    return re.compile("[" + "".join(re.escape(char) for char in separators) + "]")


def _is_cjk(run):
    return run[0] >= "\u3400"


# -- index tokens -------------------------------------------------------------------------------


def word_tokens(text):
    """Tokens of running text, in order: bigrams for Chinese runs, whole Latin words and numbers."""
    return words_of_runs(_runs(text))


def words_of_runs(runs):
    tokens = []
    for run in runs:
        if _is_cjk(run) and len(run) > 1:
            tokens.extend(_bigrams(run))
        else:
            tokens.append(run)
    return tokens


def char_tokens(text):
    """Every Chinese character on its own: matches one-character queries."""
    return chars_of_runs(_runs(text))


def chars_of_runs(runs):
    return list("".join([run for run in runs if _is_cjk(run)]))


def index_text(text):
    return " ".join(word_tokens(text))


def index_chars(text):
    return " ".join(char_tokens(text))


def index_fields(fields):
    """Index tokens of a document's text fields (name → text), each folded and cut once.

    The words and the pinyin of each field (`name`, `pinyin_name`), and the single characters of
    all of them together, as `index_text`, `index_pinyin` and `index_chars` would give, without
    folding the same text three times.
    """
    runs = {name: _runs(text) for name, text in fields.items()}
    words = {name: words_of_runs(field_runs) for name, field_runs in runs.items()}
    tokens = {name: " ".join(field_words) for name, field_words in words.items()}
    tokens.update({f"{PINYIN}_{name}": pinyin_text(runs[name], words[name]) for name in runs})
    tokens[CHARS] = " ".join(chars_of_runs([run for field_runs in runs.values() for run in field_runs]))
    return tokens


# -- pinyin -------------------------------------------------------------------------------------


def _toneless(syllable):
    """tíng → ting, lǜ → lv (the way phones type ü)."""
    syllable = (
        syllable.replace("ü", "v").replace("ǖ", "v").replace("ǘ", "v").replace("ǚ", "v").replace("ǜ", "v")
    )
    return "".join(c for c in unicodedata.normalize("NFD", syllable) if not unicodedata.combining(c))


@cache
def _char_readings():
    """Character → its first (most common) toneless reading, from pypinyin's data."""
    from pypinyin.pinyin_dict import pinyin_dict

    return {chr(code): _toneless(readings.split(",")[0]) for code, readings in pinyin_dict.items()}


@cache
def _pair_readings():
    """Two-character words containing a character with several readings → their readings.

    pypinyin's phrase-aware conversion reads 17,000 characters a second, too slow for 100,000
    pages; a lookup per character with these pairs fixing the heteronyms (成都 dū, 银行 háng,
    长者 zhǎng) reads millions.
    """
    from pypinyin.phrases_dict import phrases_dict
    from pypinyin.pinyin_dict import pinyin_dict

    several = {chr(code) for code, readings in pinyin_dict.items() if "," in readings}
    return {
        phrase: tuple(_toneless(reading[0]) for reading in readings)
        for phrase, readings in phrases_dict.items()
        if len(phrase) == 2 and (phrase[0] in several or phrase[1] in several)
    }


# Between the Chinese runs of a field read as one text: it has no reading, and no pair spans it.
_RUN_SEPARATOR = "\n"


@cache
def _reading_table():
    """str.translate table, a list by code point: a character's reading and a space ("ting "),
    "" for a character without one. Chinese runs hold only BMP characters."""
    table = [""] * 0x10000
    for char, reading in _char_readings().items():
        if reading and ord(char) < len(table):
            table[ord(char)] = f"{reading} "
    return table


@cache
def _changing_pairs():
    """The pairs that read a character otherwise than it reads alone (银行 háng, not xíng)."""
    readings = _char_readings()
    return frozenset(
        pair
        for pair, reading in _pair_readings().items()
        if reading != (readings.get(pair[0], ""), readings.get(pair[1], ""))
    )


def _bigrams(text):
    # Each character joined to the next (map(add) builds them in C: a fifth faster than slicing).
    return list(map(operator.add, text, text[1:]))


def _pair_fixes(text, bigrams):
    """{position: syllable} of the characters of `text` a pair reads otherwise than alone.

    `bigrams`: at least the character pairs of `text` (its word tokens will do). A pair's readings
    replace its characters' own; where two overlap (ABC: AB and BC), the second reads the shared
    character. Only pairs that change a reading are looked for, with str.find: looking every
    character up in Python was most of a rebuild's pinyin time.
    """
    pairs = _pair_readings()
    fixes = {}
    for pair in _changing_pairs().intersection(bigrams):
        first, second = pairs[pair]
        position = text.find(pair)
        while position != -1:
            following = pairs.get(text[position + 1 : position + 3])
            fixes[position] = first
            fixes[position + 1] = following[0] if following else second
            position = text.find(pair, position + 1)
    return fixes


def run_syllables(run):
    """The toneless syllables of a run of (simplified) Chinese characters, one per character
    ("" for a character without a reading)."""
    syllables = run.translate(_reading_table()).split(" ")[:-1]
    if len(syllables) != len(run):  # a character without a reading
        readings = _char_readings()
        syllables = [readings.get(char, "") for char in run]
    for position, syllable in _pair_fixes(run, _bigrams(run)).items():
        syllables[position] = syllable
    return syllables


def pinyin_text(runs, bigrams=None):
    """The syllables of the Chinese runs, one space between them: what a pinyin field indexes.
    `bigrams`: the runs' word tokens, when the caller has them."""
    text = _RUN_SEPARATOR.join(run for run in runs if _is_cjk(run))
    fixes = _pair_fixes(text, _bigrams(text) if bigrams is None else bigrams)
    table = _reading_table()
    pieces, start = [], 0
    for position in sorted(fixes):
        pieces.append(text[start:position].translate(table))
        if fixes[position]:
            pieces.append(f"{fixes[position]} ")
        start = position + 1
    pieces.append(text[start:].translate(table))
    return "".join(pieces)[:-1]


def pinyin_tokens(text):
    """The syllables of every Chinese character of the text, in order."""
    return pinyin_of_runs(_runs(text))


def pinyin_of_runs(runs):
    return pinyin_text(runs).split()


def index_pinyin(text):
    return pinyin_text(_runs(text))


def pinyin_key(text):
    """成都社区 → chengdushequ; Latin letters and digits stay as written (for suggestions)."""
    return "".join("".join(run_syllables(run)) if _is_cjk(run) else run for run in _runs(text))


def initials_key(text):
    """成都社区 → cdsq: the first letter of every syllable; Latin letters and digits stay."""
    return "".join("".join(s[:1] for s in run_syllables(run)) if _is_cjk(run) else run for run in _runs(text))


@cache
def _syllables():
    return frozenset(_char_readings().values()) - {""}


MAX_SYLLABLE = 6  # zhuang, shuang
MAX_READINGS = 4  # ways to cut one Latin string into syllables (xian: xian, xi an)

# Common English words that also cut into pinyin syllables: never read as pinyin.
ENGLISH_WORDS = frozenset(
    (
        "a",
        "again",
        "agenda",
        "an",
        "angle",
        "anne",
        "bake",
        "ban",
        "banana",
        "bang",
        "banner",
        "ben",
        "bin",
        "bone",
        "bun",
        "cake",
        "can",
        "canoe",
        "cease",
        "change",
        "chin",
        "china",
        "cue",
        "dance",
        "dangle",
        "den",
        "die",
        "dine",
        "ding",
        "dong",
        "due",
        "gang",
        "gee",
        "gene",
        "guide",
        "gun",
        "hang",
        "he",
        "hen",
        "hence",
        "hue",
        "hun",
        "lake",
        "lance",
        "lie",
        "line",
        "lone",
        "long",
        "main",
        "make",
        "man",
        "manage",
        "mane",
        "manga",
        "mango",
        "me",
        "men",
        "mine",
        "nine",
        "no",
        "none",
        "ocean",
        "on",
        "one",
        "pan",
        "panda",
        "pane",
        "pen",
        "penguin",
        "pie",
        "pine",
        "ping",
        "pun",
        "run",
        "sang",
        "sea",
        "see",
        "shake",
        "shame",
        "share",
        "she",
        "shin",
        "shine",
        "sin",
        "song",
        "sue",
        "sun",
        "take",
        "tan",
        "tang",
        "tango",
        "tea",
        "tease",
        "tee",
        "ten",
        "tie",
        "tin",
        "wage",
        "wake",
        "wen",
        "you",
        "zen",
    )
)


def syllable_readings(letters):
    """The ways to cut a string of letters into pinyin syllables, fewest syllables first."""
    syllables, found = _syllables(), []

    def cut(start, path):
        if len(found) >= MAX_READINGS * 4:
            return
        if start == len(letters):
            found.append(tuple(path))
            return
        for end in range(min(len(letters), start + MAX_SYLLABLE), start, -1):
            if letters[start:end] in syllables:
                cut(end, [*path, letters[start:end]])

    cut(0, [])
    return sorted(found, key=len)[:MAX_READINGS]


def _fewest_syllables(part):
    readings = syllable_readings(part)
    return [reading for reading in readings if len(reading) == len(readings[0])]


def reads_as_pinyin(part):
    """Letters only, not a common English word, and cut wholly into pinyin syllables."""
    return part.isascii() and part.isalpha() and part not in ENGLISH_WORDS and bool(syllable_readings(part))


# -- synonyms -----------------------------------------------------------------------------------

SYNONYMS_SECTION, NEAR_SECTION = "[synonyms]", "[near-synonyms]"


@cache
def _synonym_sections():
    """{section: {member: [members of its groups]}} from synonyms.txt."""
    sections = {SYNONYMS_SECTION: {}, NEAR_SECTION: {}}
    current = sections[SYNONYMS_SECTION]
    for line in SYNONYMS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line in sections:
            current = sections[line]
            continue
        if not line:
            continue
        members = [normalise(m).strip() for m in re.split(r"[,，]", line) if m.strip()]
        for member in members:
            current.setdefault(member, [])
            current[member].extend(m for m in members if m not in current[member])
    return sections


def synonym_groups():
    """Certain synonyms: an abbreviation and what it stands for (业委会 = 业主委员会)."""
    return _synonym_sections()[SYNONYMS_SECTION]


def near_synonym_groups():
    """Words that mean nearly the same (老年人 ≈ 老人): matched, ranked below exact matches."""
    return _synonym_sections()[NEAR_SECTION]


# -- queries ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sequence:
    """Tokens that must appear in a row in one kind of field."""

    tokens: tuple
    field: str = WORDS


@dataclass(frozen=True)
class QueryWord:
    """One word of a query: it matches a page when any of its options does.

    An option is a tuple of Sequences that must all appear, in any order.
    """

    text: str
    exact: tuple = ()
    loose: tuple = ()  # rank below exact: compound halves, near-synonyms, pinyin
    fallback: tuple = ()  # tuples of options, tried in turn when the word finds nothing
    quoted: bool = False
    pinyin: bool = False  # Latin letters read as pinyin: its Chinese is a reading, not a relaxation
    relaxed: bool = False  # a fallback is in use: the page says the word was not found
    forms: tuple = ()  # the strings to mark in snippets

    @property
    def single_char(self):
        return len(self.text) == 1 and _is_cjk(self.text)

    def options(self, strict=False):
        return self.exact if strict else self.exact + self.loose

    def relax(self, options):
        """This word matching only these looser options (a fallback)."""
        strings = tuple(s for option in options for s in option_strings(option))
        return replace(self, exact=(), loose=options, fallback=(), relaxed=True, forms=self.forms + strings)

    def without_exact(self):
        """This word matching only its loose options: the exact form finds nothing."""
        return replace(self, exact=(), fallback=(), relaxed=True)


def option_strings(option):
    return [" ".join(s.tokens) if s.field == PINYIN else _joined(s.tokens) for s in option]


def _joined(tokens):
    """The text of a bigram sequence: 停车 车位 → 停车位."""
    if not tokens:
        return ""
    text = tokens[0]
    for token in tokens[1:]:
        text += token[-1] if _is_cjk(token) and len(token) == 2 and text[-1] == token[0] else token
    return text


def form_sequence(form):
    """The Sequence matching a word form: single characters in their own field."""
    if len(form) == 1 and _is_cjk(form):
        return Sequence((form,), CHARS)
    return Sequence(tuple(word_tokens(form)))


def form_option(form):
    """The option matching a synonym: 党组织+居委会 is both words, anywhere."""
    return tuple(form_sequence(part) for part in form.split("+") if part)


def form_strings(form):
    return [part for part in form.split("+") if part]


RELAX_MIN_LENGTH = 4
MAX_OPTIONS = 27


def relaxed_parts(form):
    """议事规则 → (议事, 规则); 社区基金会 → (社区, 基金, 金会): the whole word, in halves."""
    if len(form) < RELAX_MIN_LENGTH or not all(_is_cjk(char) for char in form):
        return ()
    parts = [form[i : i + 2] for i in range(0, len(form) - 1, 2)]
    if len(form) % 2:
        parts.append(form[-2:])
    return tuple(parts)


def _fallback_parts(form):
    """The pieces a word that finds nothing is relaxed into: 养狗 → 养 狗; 停车位 → 停车 车位."""
    if not all(_is_cjk(char) for char in form) or len(form) < 2:
        return ()
    if len(form) == 2:
        # Two characters apart match too much, unless one has near-synonyms (养狗 → 养 + 狗/犬/宠物).
        return tuple(form) if any(near_synonym_groups().get(char) for char in form) else ()
    if len(form) == 3:
        return (form[:2], form[1:])
    return relaxed_parts(form)


def _with_synonyms(form):
    """The form, its certain synonyms and its near-synonyms."""
    return list(dict.fromkeys([form, *synonym_groups().get(form, []), *near_synonym_groups().get(form, [])]))


def _fallback(form):
    """Options tried in turn when `form` finds nothing: every piece (any order), then any piece."""
    parts = _fallback_parts(form)
    if not parts:
        return ()
    choices = [[form_sequence(f) for f in _with_synonyms(part) if "+" not in f] for part in parts]
    every = tuple(itertools.islice((tuple(c) for c in itertools.product(*choices)), MAX_OPTIONS))
    tiers = [every]
    longer = [part for part in parts if len(part) > 1]
    if len(longer) > 1:
        tiers.append(tuple(form_option(f) for part in longer for f in _with_synonyms(part)))
    return tuple(tiers)


def _chinese_or_mixed_word(part):
    forms = [part] + [alt for alt in synonym_groups().get(part, []) if alt != part]
    near = [alt for alt in near_synonym_groups().get(part, []) if alt not in forms]
    exact = tuple(dict.fromkeys(form_option(form) for form in forms))
    halves = [relaxed_parts(form) for form in forms]
    loose = tuple(dict.fromkeys(tuple(Sequence((p,)) for p in parts) for parts in halves if parts))
    loose += tuple(dict.fromkeys(form_option(form) for form in near))
    strings = tuple(dict.fromkeys(s for form in forms + near for s in form_strings(form)))
    return QueryWord(part, exact=exact, loose=loose, fallback=_fallback(part), forms=strings)


def _pinyin_word(parts):
    """Latin words that read as pinyin: the letters as written, or the Chinese they spell.

    Each typed word is cut into syllables on its own (xi an stays two), the ways multiplied.
    """
    readings = itertools.product(*(_fewest_syllables(part) for part in parts))
    readings = sorted({sum(reading, ()) for reading in itertools.islice(readings, MAX_OPTIONS)}, key=len)
    exact = ((Sequence(tuple(parts)),),)
    loose = tuple((Sequence(reading, PINYIN),) for reading in readings[:MAX_READINGS])
    return QueryWord(" ".join(parts), exact=exact, loose=loose, forms=(" ".join(parts),), pinyin=True)


_SPACE_IN_CHINESE_RE = re.compile(rf"(?<=[{CJK_CHAR}])\s+(?=[{CJK_CHAR}])")


def _quoted_word(phrase):
    """An exact phrase: its characters in that order, no synonyms, no looser forms, no pinyin."""
    text = _SPACE_IN_CHINESE_RE.sub("", normalise(phrase)).strip()
    tokens = tuple(word_tokens(text))
    if not tokens:
        return None
    sequence = form_sequence(tokens[0]) if len(tokens) == 1 else Sequence(tokens)
    return QueryWord(text, exact=((sequence,),), quoted=True, forms=(text,))


_QUERY_SEPARATOR_RE = re.compile(rf"[^0-9a-z{CJK_CHAR}]+")
_QUOTED_RE = re.compile(r'"([^"]*)"|“([^”]*)”')


def _split_quoted(query):
    """[(text, quoted)] in order; a quote without its partner is ignored."""
    pieces, last = [], 0
    for match in _QUOTED_RE.finditer(query):
        pieces.append((query[last : match.start()], False))
        pieces.append((match.group(1) if match.group(1) is not None else match.group(2), True))
        last = match.end()
    pieces.append((query[last:], False))
    return [(text.replace('"', " ").replace("“", " ").replace("”", " "), quoted) for text, quoted in pieces]


MIN_PINYIN_SYLLABLES = 2  # one syllable alone (ting) would match every 停, 听, 厅 …


def _unquoted_words(text):
    words, latin = [], []

    def flush():
        if not latin:
            return
        if sum(len(syllable_readings(part)[0]) for part in latin) >= MIN_PINYIN_SYLLABLES:
            words.append(_pinyin_word(list(latin)))
        else:
            words.extend(_chinese_or_mixed_word(part) for part in latin)
        latin.clear()

    for part in _QUERY_SEPARATOR_RE.split(normalise(text)):
        if not part:
            continue
        if reads_as_pinyin(part):
            latin.append(part)
            continue
        flush()
        words.append(_chinese_or_mixed_word(part))
    flush()
    return words


def parse_query(query):
    """Query words; spaces and punctuation separate words, double quotes mark exact phrases.

    Every word must match. A word mixing scripts (e家亲) stays one word: its tokens in sequence.
    Neighbouring Latin words that read as pinyin are one word (jia zhuang dian ti).
    """
    words = []
    for text, quoted in _split_quoted(unicodedata.normalize("NFKC", query or "")):
        if quoted:
            word = _quoted_word(text)
            if word:
                words.append(word)
        else:
            words.extend(_unquoted_words(text))
    return words


def resolve(words, finds_anything):
    """The words as searched: one that finds nothing exactly falls back to looser forms.

    `finds_anything(options)` asks the backend whether any page matches any of the options.
    Only words with something looser to offer are checked: one cheap query each.
    """
    resolved = []
    for word in words:
        if word.quoted or word.pinyin or not (word.loose or word.fallback) or finds_anything(word.exact):
            resolved.append(word)
        elif word.loose and finds_anything(word.loose):
            resolved.append(word.without_exact())
        else:
            tier = next((options for options in word.fallback if finds_anything(options)), None)
            resolved.append(word.relax(tier) if tier else word)
    return resolved


def relaxed_words(words):
    """The words the search could not find as typed (shown: 未找到“停车位”，显示相近结果)."""
    return [word.text for word in words if word.relaxed]


def highlight_terms(words):
    """The strings to mark in a snippet: each query word and its synonyms, longest first."""
    terms = set()
    for word in words:
        terms.update(form for form in word.forms if form)
        if not word.quoted:
            terms.update(s for form in synonym_groups().get(word.text, []) for s in form_strings(form))
    return sorted(terms, key=len, reverse=True)


def pinyin_readings(words):
    """The syllable sequences of the words' pinyin options, to mark the Chinese they spell."""
    return [s.tokens for word in words for option in word.loose for s in option if s.field == PINYIN]
