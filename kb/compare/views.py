"""GET /compare/?pages=SLUG&pages=SLUG: 2 to 4 cases side by side; POST add/remove/clear the tray."""

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from kb.cases.blocks import CASE_SECTIONS, OTHER_SECTION

from . import selection

KEY_ROWS = [
    ("地区", lambda c: c.region.path if c.region else ""),
    ("社区类型", lambda c: c.community_type.name if c.community_type else ""),
    ("年份", lambda c: c.years_display),
    ("规模", lambda c: c.scale),
    ("议题", lambda c: "、".join(t.name for t in c.issues.all())),
    ("治理主体", lambda c: "、".join(t.name for t in c.actors.all())),
    ("方法与机制", lambda c: "、".join(t.name for t in c.methods.all())),
]


def compare_url(cases):
    return reverse("compare") + "?" + urlencode([("pages", case.slug) for case in cases])


def _sections(case):
    """{section key: [rendered HTML]} of a case body; other sections under their own heading."""
    found = {}
    for block in case.body:
        if block.block_type != "section":
            continue
        kind = block.value.get("kind")
        html = block.block.child_blocks["content"].render(block.value.get("content"))
        if kind == OTHER_SECTION:
            heading = block.value.get("heading") or "其他"
            found.setdefault(("other", heading), []).append(html)
        else:
            found.setdefault(kind, []).append(html)
    return found


def comparison_rows(cases):
    """Key rows, then one row per standard section any of the cases has, then other headings."""
    rows = [{"label": label, "cells": [(c, value(c)) for c in cases]} for label, value in KEY_ROWS]
    sections = [_sections(case) for case in cases]
    for key, heading in CASE_SECTIONS:
        if any(key in s for s in sections):
            rows.append(
                {
                    "label": heading,
                    "section": True,
                    "cells": list(zip(cases, [s.get(key, []) for s in sections], strict=True)),
                }
            )
    others = list(dict.fromkeys(k for s in sections for k in s if isinstance(k, tuple)))
    for key in others:
        rows.append(
            {
                "label": key[1],
                "section": True,
                "cells": list(zip(cases, [s.get(key, []) for s in sections], strict=True)),
            }
        )
    return rows


@require_GET
def compare(request):
    values = request.GET.getlist("pages")
    tray = selection.tray_cases(request.session)
    context = {"tray": tray, "min_pages": selection.MIN_PAGES, "max_pages": selection.MAX_PAGES}
    if not values:
        if len(tray) >= selection.MIN_PAGES:
            return HttpResponseRedirect(compare_url(tray))
        return render(request, "compare/compare.html", context)
    try:
        cases = selection.resolve(values)
    except selection.SelectionError as error:
        context["error"] = str(error)
        return render(request, "compare/compare.html", context, status=400)
    context.update(cases=cases, rows=comparison_rows(cases), this_url=compare_url(cases))
    return render(request, "compare/compare.html", context)


def _back(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(reverse("compare"))


def _posted_id(request):
    value = request.POST.get("page", "")
    return int(value) if value.isdigit() and len(value) <= 18 else None


# TRAY_WITHOUT_CSRF: the tray is the reader's own list of up to four cases in their session; a
# forged POST could at most add or remove a case there, with nothing to gain and nothing lost.
# Without a CSRF token in every page's 加入对比 form, public pages set no cookie and are the same
# for every reader without a session, so the anonymous page cache (kb.operations.page_cache) can
# serve them.
@csrf_exempt  # see TRAY_WITHOUT_CSRF
@require_POST
def add(request):
    page_id = _posted_id(request)
    ids = selection.tray(request.session)
    if page_id and page_id not in ids and selection.live_cases().filter(pk=page_id).exists():
        if len(ids) >= selection.MAX_PAGES:
            request.session["kb_compare_full"] = True
        else:
            selection.save_tray(request.session, ids + [page_id])
    return _back(request)


@csrf_exempt  # see TRAY_WITHOUT_CSRF
@require_POST
def remove(request):
    page_id = _posted_id(request)
    selection.save_tray(request.session, [i for i in selection.tray(request.session) if i != page_id])
    return _back(request)


@csrf_exempt  # see TRAY_WITHOUT_CSRF
@require_POST
def clear(request):
    selection.save_tray(request.session, [])
    return _back(request)
