"""Publish, unpublish, delete, move, slug change and view restrictions keep the index right, in the
same transaction."""

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from kb.core import publishing

from .indexing import remove_page, update_page, update_pages, update_subtree

# After the policy lifecycle (kb.policies.signals), whose marks publish more pages.
INDEX_ORDER = 50


def on_published(sender, instance, **kwargs):
    if not instance.numchild and publishing.defer(update_pages, instance.pk, order=INDEX_ORDER):
        return  # indexed with the rest of the batch (an import run)
    if instance.numchild:
        update_subtree(instance)  # a slug change changes the URLs of everything below
    else:
        update_page(instance)


def on_unpublished(sender, instance, **kwargs):
    update_page(instance)


def on_moved(sender, instance, **kwargs):
    update_subtree(Page.objects.get(pk=instance.pk))


def on_deleted(sender, instance, **kwargs):
    remove_page(instance.pk)


def on_view_restriction_changed(sender, instance, **kwargs):
    """A restriction added, changed or removed (admin privacy dialog or code) on a page hides or
    shows it and everything below it at once."""
    origin = kwargs.get("origin")
    origin_model = origin.model if isinstance(origin, QuerySet) else type(origin)
    if origin is not None and not issubclass(origin_model, PageViewRestriction):
        return  # the page itself is being deleted: its own post_delete removes it
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:
        update_subtree(page)


def connect():
    page_published.connect(on_published, dispatch_uid="search-published")
    page_unpublished.connect(on_unpublished, dispatch_uid="search-unpublished")
    post_page_move.connect(on_moved, dispatch_uid="search-moved")
    post_delete.connect(on_deleted, sender=Page, dispatch_uid="search-deleted")
    post_save.connect(
        on_view_restriction_changed, sender=PageViewRestriction, dispatch_uid="search-restricted"
    )
    post_delete.connect(
        on_view_restriction_changed, sender=PageViewRestriction, dispatch_uid="search-unrestricted"
    )
