"""The "加入对比" button and the comparison tray: forms that work without JavaScript."""

from django import template

from .. import selection
from ..views import compare_url

register = template.Library()


def _next(context):
    request = context["request"]
    return request.get_full_path()


@register.inclusion_tag("compare/add_button.html", takes_context=True)
def compare_button(context, page_id):
    request = context["request"]
    ids = selection.tray(request.session)
    return {
        "page_id": page_id,
        "chosen": page_id in ids,
        "full": len(ids) >= selection.MAX_PAGES,
    }


@register.inclusion_tag("compare/form.html", takes_context=True)
def compare_form(context):
    """The one form every 加入对比/移出 button submits (buttons name it with `form=`), placed
    outside other forms: the search results sit inside the search page's GET form."""
    return {"next": _next(context)}


@register.inclusion_tag("compare/tray.html", takes_context=True)
def compare_tray(context):
    request = context["request"]
    cases = selection.tray_cases(request.session)
    full_warning = request.session.pop("kb_compare_full", False)
    return {
        "cases": cases,
        "open_url": compare_url(cases) if len(cases) >= selection.MIN_PAGES else "",
        "min_pages": selection.MIN_PAGES,
        "max_pages": selection.MAX_PAGES,
        "full_warning": full_warning,
    }
