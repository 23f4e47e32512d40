from django import template

from ..successors import attach_successors

register = template.Library()


@register.filter
def with_successors(pages):
    """Linked pages, outdated policies among them knowing the policies that replace them."""
    return attach_successors(pages or [])
