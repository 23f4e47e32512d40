"""Places for many new pages under one parent at once (treebeard's materialised paths).

Treebeard's `add_child` locks the parent, reads its last child and bumps its `numchild` for every
page, a query pattern that grows with the number of siblings. An import run adds thousands of
pages under a few index pages, so the paths of all new children of a parent are computed here
from the parent's last child, once, and the parent's `numchild` is updated once.
"""

from django.db.models import F
from treebeard.exceptions import PathOverflow
from wagtail.models import Page


def allocate_children(parent, pages):
    """Give each unsaved page in `pages` the path, depth and url_path of the parent's next child.

    The caller saves the pages (in any order) in the same transaction; the parent row stays locked
    until then, as treebeard's own add_child does.
    """
    if not pages:
        return
    parent = Page.objects.select_for_update().get(pk=parent.pk)
    last = (
        Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    position = Page._str2int(last[-Page.steplen :]) if last else 0
    depth = parent.depth + 1
    for page in pages:
        position += 1
        page.depth = depth
        if len(Page._int2str(position)) > Page.steplen:
            raise PathOverflow(f"No more room for children under page {parent.pk} ({parent.url_path}).")
        page.path = Page._get_path(parent.path, depth, position)
        page.numchild = 0
        if page.locale_id is None:
            page.locale_id = parent.locale_id  # Wagtail's default for a new page: its parent's locale
        page._cached_parent_obj = parent
        page.set_url_path(parent)
    Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(pages))
