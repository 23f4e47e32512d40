"""Every page a search matches as CSV, JSON or RIS, streamed (GET /search/export.csv|json|ris).

The ids come from `search.matching` (one statement, in the search's order); the pages' fields are
then read in batches of BATCH_SIZE, a few queries per batch and type, never one per row, so an
export of 10,000 pages is about a hundred queries whatever the backend.
"""

import csv
import json

from kb.citations.formats import citation_for, to_ris
from kb.core.models import KnowledgePage

from .indexing import indexable_pages

BATCH_SIZE = 500
LIST_SEPARATOR = "；"  # a full-width semicolon: list values stay in one cell in Excel and WPS
# (JSON key, CSV header): the columns of every export, in order.
COLUMNS = [
    ("type", "类型"),
    ("title", "标题"),
    ("url", "链接"),
    ("summary", "摘要"),
    ("region", "地区"),
    ("community_type", "社区类型"),
    ("year_start", "起始年份"),
    ("year_end", "结束年份"),
    ("issues", "议题"),
    ("actors", "治理主体"),
    ("methods", "方法与机制"),
    ("level", "政策层级"),
    ("validity", "时效性"),
    ("issued_on", "发布日期"),
    ("effective_on", "施行日期"),
    ("doc_number", "发文字号"),
    ("issuers", "发文机关"),
]


def page_types():
    return {model.type_key: model for model in KnowledgePage.__subclasses__() if model.type_key}


def pages_in_order(entries, batch_size=BATCH_SIZE):
    """The live, public specific pages of [(page_id, type)], in that order, read in batches."""
    for start in range(0, len(entries), batch_size):
        batch = entries[start : start + batch_size]
        by_type = {}
        for page_id, type_key in batch:
            by_type.setdefault(type_key, []).append(page_id)
        found = {}
        for type_key, ids in by_type.items():
            if type_key in page_types():
                found.update((page.pk, page) for page in indexable_pages(type_key).filter(pk__in=ids))
        for page_id, _ in batch:
            if page_id in found:  # unpublished between the search and this read: left out
                yield found[page_id]


def _names(page, attribute):
    manager = getattr(page, attribute, None)
    return [term.name for term in manager.all()] if manager is not None else []


def _term(page, attribute):
    term = getattr(page, attribute, None)
    return term.name if term is not None else ""


def row(page, url):
    """{JSON key: value} of a page; lists stay lists, absent fields are empty."""
    policy = page.type_key == "policy"
    return {
        "type": page.type_key,
        "title": page.title,
        "url": url,
        "summary": page.summary,
        "region": page.region.path if getattr(page, "region", None) else "",
        "community_type": _term(page, "community_type"),
        "year_start": getattr(page, "year_start", None),
        "year_end": getattr(page, "year_end", None),
        "issues": _names(page, "issues"),
        "actors": _names(page, "actors"),
        "methods": _names(page, "methods"),
        "level": _term(page, "level"),
        "validity": (page.validity_on() or "") if policy else "",
        "issued_on": page.issued_on if policy else "",
        "effective_on": page.effective_on if policy else "",
        "doc_number": page.doc_number if policy else "",
        "issuers": page.issuer_names if policy else [],
    }


def _absolute(request, page):
    return request.build_absolute_uri(page.get_url(request) or "/")


def rows(request, entries):
    for page in pages_in_order(entries):
        yield row(page, _absolute(request, page))


class _Echo:
    def write(self, value):
        return value


def csv_chunks(request, entries):
    """The CSV as text chunks: BOM, a header row, one row per page."""
    labels = {key: model.type_label for key, model in page_types().items()}
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([header for _, header in COLUMNS])
    for values in rows(request, entries):
        cells = []
        for key, _ in COLUMNS:
            value = values[key]
            if key == "type":
                value = labels.get(value, value)
            elif isinstance(value, list):
                value = LIST_SEPARATOR.join(value)
            cells.append("" if value is None else value)
        yield writer.writerow(cells)


def json_chunks(request, matches):
    """`{"total": N, "backend": …, "results": [...]}` written row by row."""
    yield f'{{"total": {matches.total}, "backend": {json.dumps(matches.backend)}, "results": ['
    for index, values in enumerate(rows(request, matches.entries)):
        yield ("," if index else "") + "\n" + json.dumps(values, ensure_ascii=False)
    yield "\n]}\n"


def ris_chunks(request, entries):
    for page in pages_in_order(entries):
        yield to_ris(citation_for(page, _absolute(request, page)))
