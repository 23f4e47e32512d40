"""Ranked orders of searches' matches, kept per process for the index state they were read in.

A practitioner types a few words, then narrows by 议题, 地区 and 类型, pages on, sorts: every one of
those searches ranks the same matches in the same order and shows a different slice of it. Ranking
is the costly part of the embedded backend (BM25 or ts_rank_cd of every match, then a sort: 50 ms
for a common word at 10,000 pages, ten times that at 100,000), and filtering is not: the facet
bitmaps say which pages pass. So a search that shows most of its matches keeps the ids and scores
of all of them in order (16 bytes a match), and the next ones walk that order, keeping the pages
that pass the filters, until the page of results shown is full. A narrow search (a quarter of the
matches or fewer) ranks only its own pages, as ranking them all would cost it several times more,
and keeps that ranking for its next pages (`narrow`).

Keys hold the index's stamp (facet_bitmaps: a new one in the transaction of every index change),
so a publish is seen at once and a rolled-back change's entries are never read again; an order is
never out of date, only unused, and the least recently used go first. The matched ids of some
words, and of their bonus tiers, are kept the same way, so narrowing a search again asks the
full-text table only to score the pages it shows.
"""

import threading
from array import array
from collections import OrderedDict
from dataclasses import dataclass
from itertools import islice

from django.conf import settings


@dataclass
class Ranking:
    """Every match of a search, best first: page ids and their scores, position by position."""

    ids: array
    scores: array

    @classmethod
    def from_rows(cls, rows):
        return cls(
            ids=array("q", (row[0] for row in rows)), scores=array("d", (row[1] or 0.0 for row in rows))
        )

    def page(self, shown, offset, size, every=False):
        """[(page id, score)] of the `size` best pages in `shown` after skipping `offset`;
        `every`: every ranked page is shown (no filter), so the slice is direct."""
        if every:
            return list(
                zip(self.ids[offset : offset + size], self.scores[offset : offset + size], strict=True)
            )
        return pick(zip(self.ids, self.scores, strict=True), shown, offset, size)


def pick(pairs, shown, offset, size):
    """[(page id, score)] of the `size` first of these ordered pairs whose page is in `shown`,
    after skipping `offset` of them; `pairs` is read no further than that."""
    return list(islice((pair for pair in pairs if pair[0] in shown), offset, offset + size))


class Kept:
    """A small least-recently-used store shared by the threads of a process."""

    def __init__(self, size):
        self.size = size
        self.items = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key, value):
        if self.size < 1:
            return
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self):
        with self.lock:
            self.items.clear()


rankings = Kept(settings.SEARCH_KEPT_RANKINGS)
narrow = Kept(settings.SEARCH_KEPT_RANKINGS * 4)  # small: a quarter of their matches at most
matches = Kept(settings.SEARCH_KEPT_RANKINGS * 3)  # the words' matches and up to two bonus tiers


def kept_matches(key, read):
    """The BitMap of matched page ids under `key`, from `read()` (a BitMap) the first time."""
    found = matches.get(key)
    if found is None:
        found = read()
        matches.put(key, found)
    return found


def forget():
    """Drop everything kept (benchmarks measure a first search this way)."""
    for kept in (rankings, narrow, matches):
        kept.clear()
