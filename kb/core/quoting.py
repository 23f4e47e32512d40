"""Quoting a name or a query in generated text, once: 同属“南通社区微治理‘六微’”的其他原则.

A template that writes “{{ value }}” doubles the marks when the value is quoted already (a query
typed as “停车”, a group named 南通社区微治理“六微”): ““停车””, “南通社区微治理“六微””.
"""

import re

# Opening mark → closing mark of the quotes a value may already be wrapped in.
PAIRS = {"“": "”", "‘": "’", '"': '"', "'": "'", "「": "」", "『": "』"}
_ASCII_PAIR = re.compile(r'"([^"]*)"')


def _unwrapped(text):
    """The text without quotes wrapping all of it (“停车” → 停车; “甲”和“乙” stays as it is)."""
    while len(text) >= 2 and text[0] in PAIRS and text[-1] == PAIRS[text[0]]:
        inner = text[1:-1]
        if text[0] in inner or PAIRS[text[0]] in inner:
            break
        text = inner.strip()
    return text


def quote(value, limit=None):
    """The value in Chinese double quotes, once; quotes inside become single ones (a quotation
    within a quotation); `limit`: at most that many characters inside, then “…”."""
    text = _unwrapped(str(value or "").strip())
    if limit and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    text = _ASCII_PAIR.sub(r"‘\1’", text).replace("“", "‘").replace("”", "’")
    return f"“{text}”"
