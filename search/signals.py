"""Publish, unpublish, delete, move and slug change keep the index right, in the same transaction."""

from django.db.models.signals import post_delete
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from kb.core import publishing

from .indexing import remove_page, update_page, update_pages

# After the policy lifecycle (kb.policies.signals), whose marks publish more pages.
INDEX_ORDER = 50


def _with_live_descendants(page):
    """A move or slug change changes the URLs of everything below the page."""
    update_page(page)
    for descendant in page.get_descendants().live().specific():
        update_page(descendant)


def on_published(sender, instance, **kwargs):
    if not instance.numchild and publishing.defer(update_pages, instance.pk, order=INDEX_ORDER):
        return  # indexed with the rest of the batch (an import run)
    if instance.numchild:
        _with_live_descendants(instance)
    else:
        update_page(instance)


def on_unpublished(sender, instance, **kwargs):
    update_page(instance)


def on_moved(sender, instance, **kwargs):
    _with_live_descendants(Page.objects.get(pk=instance.pk))


def on_deleted(sender, instance, **kwargs):
    remove_page(instance.pk)


def connect():
    page_published.connect(on_published, dispatch_uid="search-published")
    page_unpublished.connect(on_unpublished, dispatch_uid="search-unpublished")
    post_page_move.connect(on_moved, dispatch_uid="search-moved")
    post_delete.connect(on_deleted, sender=Page, dispatch_uid="search-deleted")
