"""The citation meta tags (in <head>) and the cite box of a knowledge page."""

from django import template

from ..formats import FORMATS, citation_for, meta_tags, to_gbt7714
from ..views import absolute_url

register = template.Library()


def _citation(context):
    """The page's Citation, built once per render; None for pages that are not knowledge pages."""
    page = context.get("page")
    request = context.get("request")
    if page is None or request is None or not getattr(page, "type_key", "") or not page.pk:
        return None
    cache = context.render_context
    if "kb_citation" not in cache:
        cache["kb_citation"] = citation_for(page, absolute_url(request, page))
    return cache["kb_citation"]


@register.inclusion_tag("citations/meta.html", takes_context=True)
def citation_meta(context):
    citation = _citation(context)
    return {"tags": meta_tags(citation) if citation else []}


@register.inclusion_tag("citations/cite_box.html", takes_context=True)
def cite_box(context):
    citation = _citation(context)
    if citation is None:
        return {}
    page = context["page"]
    base = page.get_url(context["request"]) or page.url
    return {
        "citation": citation,
        "text": to_gbt7714(citation),
        "links": [(name, f"{base}cite/?format={name}") for name in FORMATS],
    }
