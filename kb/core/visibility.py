"""Which pages the public may see: live and under no view restriction. The one rule for every channel.

A page is shown to anonymous readers, listed, linked, indexed, exported or suggested only when it
is live and neither it nor an ancestor carries a view restriction (password, login or groups,
Wagtail's `PageViewRestriction`). Everything that lists pages asks here: search indexing, feeds,
linked-page lists both ways, course module links and handouts, API v2 link fields and templates.
"""

from wagtail.models import Page


def public_live(queryset):
    """The pages of `queryset` (a PageQuerySet of any page model) the public may see."""
    return queryset.live().public()


def public_live_ids(page_ids):
    """The ids among `page_ids` of pages the public may see: one query whatever their number."""
    page_ids = set(page_ids)
    if not page_ids:
        return set()
    return set(public_live(Page.objects.filter(pk__in=page_ids)).values_list("pk", flat=True))


def public_live_pages(pages):
    """The pages among `pages` (a related manager, queryset or list) the public may see, in order.

    A manager or queryset is filtered in the database; a list (e.g. prefetched relations) is checked
    in one query.
    """
    if pages is None:
        return []
    if hasattr(pages, "all"):
        pages = pages.all()
    if hasattr(pages, "public") and hasattr(pages, "live"):
        return list(public_live(pages))
    pages = list(pages)
    visible = public_live_ids(page.pk for page in pages if getattr(page, "live", False))
    return [page for page in pages if page.pk in visible]


def is_public_live(page):
    return bool(page is not None and page.pk and page.pk in public_live_ids([page.pk]))
