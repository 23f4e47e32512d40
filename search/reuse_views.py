"""Reusing a search: GET /search/export.csv|json|ris (every match) and /api/search/similar/."""

from django.http import JsonResponse, QueryDict, StreamingHttpResponse
from django.views.decorators.http import require_GET

from . import export, similar
from .matching import matching
from .query import MAX_RESULT_WINDOW, BadQuery, parse_params

FORMATS = {
    "csv": ("text/csv; charset=utf-8", export.csv_chunks),
    "json": ("application/json; charset=utf-8", None),
    "ris": ("application/x-research-info-systems; charset=utf-8", export.ris_chunks),
}


def bad_request(error):
    return JsonResponse({"error": str(error)}, status=400, json_dumps_params={"ensure_ascii": False})


@require_GET
def search_export(request, extension):
    params = request.GET.copy()
    # An export is every match: the page and page size of the search page do not apply.
    params.pop("page", None)
    params.pop("page_size", None)
    try:
        query = parse_params(params)
    except BadQuery as error:
        return bad_request(error)
    matches = matching(query, limit=MAX_RESULT_WINDOW)
    content_type, writer = FORMATS[extension]
    chunks = export.json_chunks(request, matches) if extension == "json" else writer(request, matches.entries)
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="kb-search.{extension}"'
    response["X-Total-Count"] = str(matches.total)
    return response


@require_GET
def similar_api(request):
    path = request.GET.get("url", "").strip()
    if not path:
        return bad_request("请用 url 参数给出页面的地址，如 ?url=/cases/某个案例/。")
    if len(path) > 500 or "\x00" in path:
        return bad_request("页面地址（url）无效。")
    type_key = request.GET.get("type", "").strip() or None
    if type_key:
        try:
            parse_params(_type_params(type_key))  # the search's own check of `type`
        except BadQuery as error:
            return bad_request(error)
    try:
        entry = similar.find_entry(path)
    except similar.PageNotIndexed:
        return JsonResponse(
            {"error": "找不到这个页面：只能查询已发布的公开页面。"},
            status=404,
            json_dumps_params={"ensure_ascii": False},
        )
    hits = similar.similar_pages(entry, type_key=type_key)
    return JsonResponse(
        {"results": [hit.as_json() for hit in hits]}, json_dumps_params={"ensure_ascii": False}
    )


def _type_params(type_key):
    params = QueryDict(mutable=True)
    params["type"] = type_key
    return params
