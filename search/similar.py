"""Pages like a given page (GET /api/search/similar/?url=PAGE_PATH, 相似案例 on case pages).

Similarity is the same sum on every backend, so both rank the same pages the same way:
each shared issue counts 3, each shared method 2, the same community type 2, each shared actor 1,
and each two-character word of the page's title found in a candidate's title or summary 1.
A candidate must share at least one issue, method, actor or community type (an indexed lookup,
never a scan of the library); ties go to the newer page, then the lower id. Only pages in the
index are candidates, and the index holds only live, public pages.
"""

import re
from urllib.parse import quote, unquote

from django.db import connection
from elasticsearch_dsl import Q, Search

from .backends.base import KEY_FIELDS, Hit
from .highlight import snippet
from .matching import answer
from .models import SearchEntry, SearchFacetValue

LIMIT = 10
FACET_WEIGHTS = {"issue": 3, "method": 2, "community_type": 2, "actor": 1}
TEXT_WEIGHT = 1
MAX_TITLE_WORDS = 12
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


class PageNotIndexed(LookupError):
    """No live, public page at that address."""


def title_words(title):
    """The distinct two-character words (bigrams) of the Chinese runs of a title."""
    words = []
    for run in _HAN_RUN.findall(title):
        words.extend(run[i : i + 2] for i in range(len(run) - 1))
    return list(dict.fromkeys(words))[:MAX_TITLE_WORDS]


def find_entry(path):
    """The index entry of the page at `path` (a path or absolute URL), or PageNotIndexed."""
    path = re.sub(r"^[a-z]+://[^/]+", "", path.strip(), flags=re.IGNORECASE).split("?")[0].split("#")[0]
    if path and not path.endswith("/"):
        path += "/"
    # Index entries hold URLs as Wagtail writes them (a Chinese slug percent-encoded); a reader may
    # paste the path either way.
    path = quote(unquote(path), safe="/")
    entry = SearchEntry.objects.filter(url=path).first()
    if entry is None:
        raise PageNotIndexed(path)
    return entry


def similar_pages(entry, type_key=None, limit=LIMIT):
    """[Hit] of the pages most like `entry`, best first, never `entry` itself."""
    facets = list(
        SearchFacetValue.objects.filter(entry=entry, facet__in=FACET_WEIGHTS).values_list("facet", "value")
    )
    if not facets:
        return []
    words = title_words(entry.title)
    return answer(
        lambda backend: _elasticsearch(backend, entry, facets, words, type_key, limit),
        lambda backend: _database(entry, facets, words, type_key, limit),
    )


def _database(entry, facets, words, type_key, limit):
    weight = " ".join(f"WHEN '{facet}' THEN {w}" for facet, w in FACET_WEIGHTS.items())
    pairs = " OR ".join(["(f.facet = %s AND f.value = %s)"] * len(facets))
    text = (
        " + ".join(
            [f"CASE WHEN e.title LIKE %s OR e.summary LIKE %s THEN {TEXT_WEIGHT} ELSE 0 END"] * len(words)
        )
        or "0"
    )
    params = [value for pair in facets for value in pair] + [entry.page_id]
    text_params = [p for word in words for p in (f"%{word}%", f"%{word}%")]
    type_clause, type_params = ("AND e.type = %s", [type_key]) if type_key else ("", [])
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH shared AS (SELECT f.entry_id AS id, SUM(CASE f.facet {weight} ELSE 0 END) AS score "
            f"FROM search_searchfacetvalue f WHERE ({pairs}) AND f.entry_id <> %s GROUP BY f.entry_id) "
            "SELECT e.page_id, e.title, e.url, e.type, e.summary, e.body, e.date, e.date_label, "
            f"shared.score + {text} AS total "
            f"FROM shared JOIN search_searchentry e ON e.page_id = shared.id WHERE 1 = 1 {type_clause} "
            "ORDER BY total DESC, e.date DESC, e.page_id LIMIT %s",
            params + text_params + type_params + [limit],
        )
        rows = cursor.fetchall()
    fields = {}
    for page_id, facet, value in (
        SearchFacetValue.objects.filter(entry_id__in=[r[0] for r in rows], facet__in=KEY_FIELDS)
        .order_by("id")
        .values_list("entry_id", "facet", "value")
    ):
        fields.setdefault(page_id, {}).setdefault(facet, []).append(value)
    return [
        Hit(
            page_id=page_id,
            title=title,
            url=url,
            type=kind,
            summary=summary,
            highlight=snippet([summary, body], []),
            date=date,
            date_label=date_label,
            score=float(total),
            fields=fields.get(page_id, {}),
        )
        for page_id, title, url, kind, summary, body, date, date_label, total in rows
    ]


def _elasticsearch(backend, entry, facets, words, type_key, limit):
    shared = [
        Q("constant_score", filter=Q("term", **{f"facets.{facet}": value}), boost=FACET_WEIGHTS[facet])
        for facet, value in facets
    ]
    text = [
        Q(
            "constant_score",
            filter=Q("bool", should=[Q("match_phrase", title=word), Q("match_phrase", summary=word)]),
            boost=TEXT_WEIGHT,
        )
        for word in words
    ]
    filters = [Q("bool", should=[clause.filter for clause in shared], minimum_should_match=1)]
    if type_key:
        filters.append(Q("term", type=type_key))
    query = Q(
        "bool",
        filter=filters,
        should=shared + text,
        must_not=[Q("term", page_id=entry.page_id)],
    )
    search = (
        Search(using=backend.client, index=backend.alias)
        .query(query)
        .sort("_score", {"date": "desc"}, {"page_id": "asc"})
        .source(["page_id", "title", "url", "type", "summary", "body", "date", "date_label", "facets"])
        .extra(size=limit)
    )
    return [
        Hit(
            page_id=hit.page_id,
            title=hit.title,
            url=hit.url,
            type=hit.type,
            summary=hit.summary,
            highlight=snippet([hit.summary, hit.body], []),
            date=getattr(hit, "date", ""),  # an empty value is not stored
            date_label=getattr(hit, "date_label", ""),
            score=hit.meta.score or 0.0,
            fields=hit.to_dict().get("facets", {}),
        )
        for hit in search.execute().hits
    ]
