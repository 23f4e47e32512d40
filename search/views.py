"""Site search page.

Interim: a plain containment match over titles and summaries, which at least finds Chinese words
(stock Wagtail search does not segment Chinese). The faceted, ranked search of the search issue
replaces the body of `search_pages` and keeps this view's query string.
"""

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render

from kb.core.sections import SECTIONS, TYPE_LABELS, page_model

MAX_QUERY_LENGTH = 200


def search_pages(query, type_key=None):
    results = []
    for key, _, _, _ in SECTIONS:
        if type_key and key != type_key:
            continue
        model = page_model(key)
        pages = model.objects.live().public()
        for word in query.split():
            pages = pages.filter(Q(title__icontains=word) | Q(summary__icontains=word))
        results.extend(pages.order_by("title"))
    return results


def search(request):
    query = request.GET.get("q", "").strip()
    type_key = request.GET.get("type", "").strip()
    error = ""
    if len(query) > MAX_QUERY_LENGTH:
        error = f"搜索词过长（最多 {MAX_QUERY_LENGTH} 个字符）。"
    elif type_key and type_key not in TYPE_LABELS:
        error = "未知的内容类型。"
    results = search_pages(query, type_key or None) if query and not error else []
    page = Paginator(results, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "search/search.html",
        {
            "query": query,
            "type": type_key,
            "types": TYPE_LABELS,
            "results": page,
            "error": error,
        },
        status=400 if error else 200,
    )
