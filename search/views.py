"""GET /api/search/ (JSON) and /search/ (HTML): the same query string drives both (INTERFACES §4)."""

import math
from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kb.core.page_types import type_labels

from . import suggestions
from .facets import listed
from .query import MAX_QUERY_LENGTH, SORTS, BadQuery, check_query_string
from .schema import FACETS
from .service import search


@require_GET
def search_api(request):
    try:
        check_query_string(request.META.get("QUERY_STRING", ""))
        results = search(request.GET)
    except BadQuery as error:
        return JsonResponse({"error": str(error)}, status=400, json_dumps_params={"ensure_ascii": False})
    return JsonResponse(results.as_json(), json_dumps_params={"ensure_ascii": False})


@require_GET
def suggest_api(request):
    """GET /api/search/suggest/?q=…: titles and terms starting with what was typed (≤ 10)."""
    q = request.GET.get("q", "")
    if len(q) > MAX_QUERY_LENGTH or "\x00" in q:
        error = (
            f"搜索词过长：最多 {MAX_QUERY_LENGTH} 个字符。"
            if len(q) > MAX_QUERY_LENGTH
            else "搜索词中含有无效字符。"
        )
        return JsonResponse({"error": error}, status=400, json_dumps_params={"ensure_ascii": False})
    return JsonResponse({"suggestions": suggestions.suggest(q)}, json_dumps_params={"ensure_ascii": False})


def chip_links(params, selected):
    """The query string of each chip's × link: `params` without that one filter value (and without
    the page), byte for byte what `QueryDict.urlencode()` of such a copy gives.

    Each parameter is encoded once and each link joins the encoded parts: the work grows with the
    number of values, not with values × chips as when every chip re-encoded the whole query."""
    parts = [
        (key, value, urlencode([(key, value)]))
        for key, values in params.lists()
        if key != "page"
        for value in values
    ]
    return [
        "&".join(part for key, value, part in parts if key != facet or value != removed)
        for facet, removed in selected
    ]


@require_GET
def search_page(request):
    params = request.GET
    context = {
        "query": params.get("q", "").strip(),
        "facet_labels": FACETS,
        "sorts": SORTS,
        "types": type_labels(),
    }
    try:
        check_query_string(request.META.get("QUERY_STRING", ""))
        results = search(params)
    except BadQuery as error:
        context["error"] = str(error)
        return render(request, "search/search.html", context, status=400)
    query = results.query
    pages = max(1, math.ceil(results.total / query.page_size))
    selected = [(facet, item) for facet, values in results.facets.items() for item in values if item.selected]
    links = chip_links(params, [(facet, item.value) for facet, item in selected])
    chips = [
        {"facet": FACETS[facet], "value": item.label, "remove": link}
        for (facet, item), link in zip(selected, links, strict=True)
    ]
    context.update(
        results=results,
        facet_groups={name: listed(values) for name, values in results.facets.items()},
        hits=results.hits,
        chips=chips,
        sort=query.sort,
        page=query.page,
        pages=pages,
        previous_page=query.page - 1 if query.page > 1 else None,
        next_page=query.page + 1 if query.page < pages else None,
        searched=bool(context["query"] or query.filters),
    )
    return render(request, "search/search.html", context)
