"""Snippets with the matched words marked: the same for every backend."""

import re

from django.utils.html import escape

SNIPPET_LENGTH = 120


def snippet(texts, terms, length=SNIPPET_LENGTH):
    """A passage of the first text containing a term, HTML-escaped, terms wrapped in <mark>."""
    terms = [t for t in terms if t]
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE) if terms else None
    chosen, match = next(
        ((t, pattern.search(t)) for t in texts if t and pattern and pattern.search(t)), (None, None)
    )
    if chosen is None:
        first = next((t for t in texts if t), "")
        return escape(first[:length]) + ("…" if len(first) > length else "")
    start = max(0, match.start() - length // 3)
    end = min(len(chosen), start + length)
    passage = chosen[start:end]
    marked, last = [], 0
    for found in pattern.finditer(passage):
        marked.append(escape(passage[last : found.start()]))
        marked.append(f"<mark>{escape(found.group())}</mark>")
        last = found.end()
    marked.append(escape(passage[last:]))
    return ("…" if start else "") + "".join(marked) + ("…" if end < len(chosen) else "")
