"""PAGE_URL/cite/?format=ris|bibtex|csl-json: one page as a file a reference manager imports."""

from django.http import HttpResponse, JsonResponse

from .formats import FORMATS, citation_for, to_bibtex, to_csl_json, to_ris

WRITERS = {"ris": to_ris, "bibtex": to_bibtex, "csl-json": lambda c: to_csl_json([c])}


def absolute_url(request, page):
    return request.build_absolute_uri(page.get_url(request) or page.url or "/")


def cite_response(request, page):
    chosen = request.GET.get("format", "")
    if chosen not in WRITERS:
        return JsonResponse(
            {"error": f"未知的引用格式“{chosen[:40]}”，可选：{'、'.join(FORMATS)}。"},
            status=400,
            json_dumps_params={"ensure_ascii": False},
        )
    citation = citation_for(page, absolute_url(request, page))
    content_type, extension = FORMATS[chosen]
    response = HttpResponse(WRITERS[chosen](citation), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{page.slug}.{extension}"'
    return response
