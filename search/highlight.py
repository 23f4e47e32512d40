"""Snippets with the matched words marked: the same for every backend.

Matching happens on the text folded as the index folds it (simplified, lower case), but the marks
go around the characters as the page wrote them: a traditional 停車 is marked for the query 停车.
Chinese spelled by a pinyin query (tingche) is marked too.
"""

import re

from django.utils.html import escape

from . import analysis

SNIPPET_LENGTH = 120
_CJK_RUN_RE = re.compile(f"[{analysis.CJK_CHAR}]+")


def _pinyin_spans(text, readings):
    """(start, end) of the characters whose syllables spell one of the readings."""
    if not readings:
        return []
    positions, syllables = [], []
    for run in _CJK_RUN_RE.finditer(text):
        positions.extend(range(run.start(), run.end()))
        syllables.extend(analysis.run_syllables(run.group()))
    spans = []
    for reading in readings:
        size = len(reading)
        for i in range(len(syllables) - size + 1):
            if (
                tuple(syllables[i : i + size]) == tuple(reading)
                and positions[i + size - 1] - positions[i] == size - 1
            ):
                spans.append((positions[i], positions[i + size - 1] + 1))
    return spans


def _spans(text, pattern, readings):
    """Non-overlapping (start, end) of the matches in `text`, in order."""
    folded = analysis.fold_in_place(text)
    found = [m.span() for m in pattern.finditer(folded)] if pattern else []
    found += _pinyin_spans(folded, readings)
    spans, end = [], -1
    for start, stop in sorted(found):
        if start >= end:
            spans.append((start, stop))
            end = stop
    return spans


def snippet(texts, terms, readings=(), length=SNIPPET_LENGTH):
    """A passage of the first text containing a term, HTML-escaped, terms wrapped in <mark>.

    `readings` are pinyin syllable sequences (from analysis.pinyin_readings) to mark as well.
    """
    terms = [analysis.fold_in_place(t) for t in terms if t]
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE) if terms else None
    chosen, spans = None, []
    for text in texts:
        if text and (pattern or readings):
            spans = _spans(text, pattern, readings)
            if spans:
                chosen = text
                break
    if chosen is None:
        first = next((t for t in texts if t), "")
        return escape(first[:length]) + ("…" if len(first) > length else "")
    start = max(0, spans[0][0] - length // 3)
    end = min(len(chosen), start + length)
    marked, last = [], start
    for span_start, span_end in spans:
        if span_start < start or span_end > end:
            continue
        marked.append(escape(chosen[last:span_start]))
        marked.append(f"<mark>{escape(chosen[span_start:span_end])}</mark>")
        last = span_end
    marked.append(escape(chosen[last:end]))
    return ("…" if start else "") + "".join(marked) + ("…" if end < len(chosen) else "")
