from django import template

from ..models import SearchEntry
from ..similar import similar_pages

register = template.Library()


@register.simple_tag
def similar_to(page, type_key=None, limit=6):
    """Hits of the pages most like `page` (search.similar); none for a page not in the index."""
    entry = SearchEntry.objects.filter(page_id=page.pk).first() if page.pk else None
    return similar_pages(entry, type_key=type_key, limit=limit) if entry else []
