"""The one search entry point behind the JSON API, the HTML page and commands."""

from . import reading
from .query import parse_params


def search(params):
    """SearchResults for request parameters; raises query.BadQuery for parameters users can fix."""
    return reading.search(parse_params(params))


def warm():
    """Load what a process's first search would otherwise load while a reader waits: the facet
    bitmaps (from their snapshot) and the text analysis's tables. Server processes run it
    before their first request (kb/operations/warmup.py)."""
    from .backends import facet_bitmaps
    from .backends.database import DatabaseBackend

    facet_bitmaps.current()
    DatabaseBackend().analyse("社区营造 shequ")  # Chinese, and a word read as pinyin
