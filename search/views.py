"""GET /api/search/ (JSON) and /search/ (HTML): the same query string drives both (INTERFACES §4)."""

import math

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kb.core.page_types import type_labels

from . import suggestions
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


def _without(params, facet, value):
    """The query string with one filter value (or the page) removed: a chip's link."""
    copy = params.copy()
    copy.setlist(facet, [v for v in params.getlist(facet) if v != value])
    copy.pop("page", None)
    return copy.urlencode()


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
    chips = [
        {"facet": FACETS[facet], "value": item.label, "remove": _without(params, facet, item.value)}
        for facet, values in results.facets.items()
        for item in values
        if item.selected
    ]
    context.update(
        results=results,
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
