"""Suggestions as the user types: page titles and vocabulary terms matching a prefix.

A prefix matches the text as written or folded (停車 → 停车), its pinyin (chengdu) or the
initials of its syllables (cdsq for 成都社区…). The rows live in one table with an index on each
key, so a suggestion is a few index range scans (docs/search-suggest.md has the figures); the
embedded backend writes them in the transaction that indexes the page.
"""

import re
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from . import analysis
from .models import SearchFacetValue, SearchSuggestion

# Facets whose values are offered: issues, places, organisations (actors and the authorities that
# issue policies), methods, community types.
SUGGESTED_FACETS = ("issue", "region", "actor", "issuer", "method", "community_type")
MAX_SUGGESTIONS = 10
MAX_KEY = 255
REGION_SEPARATOR = "/"


def _keys(text):
    return {
        "key": analysis.normalise(text)[:MAX_KEY],
        "pinyin": analysis.pinyin_key(text)[:MAX_KEY],
        "initials": analysis.initials_key(text)[:MAX_KEY],
    }


def _term_row(facet, value):
    text = value.rsplit(REGION_SEPARATOR, 1)[-1] if facet == "region" else value
    url = reverse("search") + "?" + urlencode({facet: value})
    return SearchSuggestion(
        page_id=None, type=facet, value=value[:MAX_KEY], text=text[:MAX_KEY], url=url, **_keys(text)
    )


def title_rows(entries):
    """The title suggestions of these entry rows, keys made: (page_id, type, text, url, key,
    pinyin, initials). Pure, so it runs where `entry_rows` does (on a worker in a rebuild):
    the pinyin of every title is most of what writing suggestions costs."""
    return [
        (page_id, type_key, title[:MAX_KEY], url, *_keys(title).values())
        for page_id, type_key, title, url, *_ in entries
        if title
    ]


def write_rows(titles, facets, replace=True):
    """Replace the title suggestions of these pages and add the terms they carry that are new.

    `titles` are `title_rows` and `facets` the (page_id, facet, value) rows the embedded backend
    writes (backends/database.py `entry_rows`).
    """
    if replace:
        SearchSuggestion.objects.filter(page_id__in=[row[0] for row in titles]).delete()
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {SearchSuggestion._meta.db_table} "
            "(page_id, type, value, text, url, key, pinyin, initials) "
            "VALUES (%s, %s, '', %s, %s, %s, %s, %s)",
            titles,
        )
    terms = {(facet, value[:MAX_KEY]) for _, facet, value in facets if facet in SUGGESTED_FACETS}
    known = set(
        SearchSuggestion.objects.filter(
            page_id__isnull=True, value__in={value for _, value in terms}
        ).values_list("type", "value")
    )
    rows = [_term_row(facet, value) for facet, value in sorted(terms - known)]
    SearchSuggestion.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)


def remove(page_ids):
    """Titles go with their pages; a term stays but is offered only while a page carries it."""
    SearchSuggestion.objects.filter(page_id__in=list(page_ids)).delete()


def clear():
    SearchSuggestion.objects.all().delete()


def _prefix(column, prefix):
    """Rows whose column starts with prefix, as an index range scan on either database."""
    if connection.vendor == "sqlite":
        # SQLite's LIKE ignores case, so it cannot use the (binary) index; a range can.
        return Q(**{f"{column}__gte": prefix, f"{column}__lt": prefix + "\U0010ffff"})
    return Q(**{f"{column}__startswith": prefix})  # PostgreSQL: the pattern_ops index Django adds


_LETTERS_RE = re.compile(r"^[a-z0-9 ]+$")


def suggest(text, limit=MAX_SUGGESTIONS):
    """At most `limit` suggestions for what the user has typed so far: text first, then pinyin."""
    folded = analysis.normalise(text).strip()
    if not folded:
        return []
    prefixes = [("key", folded)]
    if _LETTERS_RE.match(folded) and re.search("[a-z]", folded):
        letters = folded.replace(" ", "")
        prefixes += [("pinyin", letters), ("initials", letters)]
    carried = Exists(SearchFacetValue.objects.filter(facet=OuterRef("type"), value=OuterRef("value")))
    found, seen = [], set()
    for column, prefix in prefixes:
        rows = (
            SearchSuggestion.objects.filter(_prefix(column, prefix))
            .filter(Q(page_id__isnull=False) | carried)
            .order_by(column, "pk")
            .values("text", "url", "type")[:limit]
        )
        for row in rows:
            if (row["text"], row["url"]) not in seen:
                seen.add((row["text"], row["url"]))
                found.append(row)
        if len(found) >= limit:
            break
    return found[:limit]
