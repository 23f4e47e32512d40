"""Readable ASCII slugs for Chinese titles: 成都社区营造 → cheng-du-she-qu-ying-zao.

A Chinese slug is legal, but it travels as 100+ characters of percent-encoding in every link that
is pasted into a chat or a report; pinyin stays readable.
"""

import re

from django.utils.text import slugify
from pypinyin import lazy_pinyin

MAX_SLUG_LENGTH = 80
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def has_non_ascii(text):
    return bool(_NON_ASCII.search(text or ""))


def pinyin_slug(text, max_length=MAX_SLUG_LENGTH):
    """The pinyin of `text`, one syllable per word, cut at a word boundary; "" if nothing is left."""
    words = " ".join(lazy_pinyin(text or "", errors="default"))
    slug = slugify(words)
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug.strip("-")
