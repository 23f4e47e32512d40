"""Scoring a search function on the relevance set (benchmarks/data/relevance.yaml)."""

from dataclasses import dataclass
from pathlib import Path

import yaml
from wagtail.models import Page

from search.query import SearchQuery
from search.reading import get_backend

RELEVANCE_SET = Path(__file__).with_name("data") / "relevance.yaml"
DEFAULT_TOP = 10


@dataclass
class Outcome:
    query: str
    passed: bool
    missing: list
    unwanted: list


def load_relevance_set(path=RELEVANCE_SET):
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def _keys(page_ids):
    pages = Page.objects.filter(pk__in=page_ids).specific()
    by_id = {page.pk: f"{page.type_key}:{page.slug}" for page in pages if getattr(page, "type_key", "")}
    return [by_id[pk] for pk in page_ids if pk in by_id]


def site_search(query, top, backend=None):
    """ "type:slug" of the first `top` results of a backend (the configured one by default)."""
    results = (backend or get_backend()).search(SearchQuery(q=query, page_size=top))
    return _keys([hit.page_id for hit in results.hits])


# Named by path, not by the WAGTAILSEARCH_BACKENDS alias: "default" is the project's own
# search.wagtail_backend, which finds Chinese, and the baseline must stay stock Wagtail.
STOCK_WAGTAIL_BACKEND = "wagtail.search.backends.database"


def stock_wagtail_search(query, top):
    """The baseline: stock Wagtail search over live pages, nothing added."""
    pages = Page.objects.live().search(query, backend=STOCK_WAGTAIL_BACKEND)
    return _keys([page.pk for page in pages[: top * 3]])[:top]


def evaluate(search_function, entries=None):
    outcomes = []
    for entry in entries or load_relevance_set():
        top = entry.get("top", DEFAULT_TOP)
        hits = search_function(entry["q"], top)[:top]
        missing = [key for key in entry.get("expect", []) if key not in hits]
        unwanted = [key for key in entry.get("absent", []) if key in hits]
        outcomes.append(Outcome(entry["q"], not missing and not unwanted, missing, unwanted))
    return outcomes
