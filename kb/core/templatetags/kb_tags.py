"""Small template helpers for the public site."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.text import slugify

from kb.core.quoting import quote
from kb.core.visibility import public_live_pages

register = template.Library()

# Validity terms (DOMAIN.md) under which a policy's text is no longer the one in force.
OUTDATED_VALIDITY = {"已废止", "已修订"}


@register.filter
def quoted(value, limit=None):
    """“value”, never doubled: {{ page.group|quoted }}, {{ query|quoted:30 }} (kb.core.quoting)."""
    return quote(value, int(limit) if limit else None)


@register.filter
def public_live(pages):
    """The pages among `pages` the public may see (live, no view restriction), in their order."""
    return public_live_pages(pages)


@register.filter
def names(terms, separator="、"):
    """Join the names of vocabulary terms (or any objects) with the Chinese enumeration comma."""
    if terms is None:
        return ""
    if hasattr(terms, "all"):
        terms = terms.all()
    return separator.join(str(getattr(term, "name", term)) for term in terms)


@register.filter
def anchor(text):
    """A fragment identifier for a heading; keeps Chinese characters."""
    return slugify(str(text or ""), allow_unicode=True) or "section"


@register.filter
def startswith(value, prefix):
    return bool(prefix) and str(value or "").startswith(str(prefix))


@register.filter
def is_outdated(validity):
    """Whether a policy's validity (a term or its name) marks it as no longer the current text."""
    return getattr(validity, "name", validity) in OUTDATED_VALIDITY


@register.filter
def get_item(mapping, key):
    """mapping[key], or "" when absent: for looking up a label by a variable key."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.simple_tag
def facet_search_url(facet, value):
    """/search/ filtered on one facet value: where a tag, region or status on a page leads."""
    return f"{reverse('search')}?{urlencode({facet: value})}"
