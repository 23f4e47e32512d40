"""Keeping the index in step with the pages: which pages belong in it, and the one entry point."""

from kb.core.sections import SECTIONS, page_model

from .backends.database import DatabaseBackend
from .documents import build_document


def get_backend():
    """The configured search backend. The database backend for now; Elasticsearch joins here."""
    return DatabaseBackend()


def indexable_pages(type_key):
    """Live, public pages of one type, with what their documents read."""
    model = page_model(type_key)
    pages = model.objects.live().public().specific()
    related = [
        f for f in ("issues", "actors", "methods", "audience", "issuers", "modules__method") if _has(model, f)
    ]
    selected = [f for f in ("region", "community_type", "level", "validity") if _has(model, f)]
    return pages.select_related(*selected).prefetch_related(*related)


def _has(model, path):
    return any(f.name == path.split("__")[0] for f in model._meta.get_fields())


def is_indexable(page):
    page = page.specific
    return getattr(page, "type_key", "") and page.live and not page.get_view_restrictions().exists()


def update_page(page):
    """Index the page if it belongs in the index, remove it otherwise."""
    page = page.specific
    backend = get_backend()
    if is_indexable(page):
        backend.index([build_document(page)])
    else:
        backend.remove([page.pk])


def rebuild(progress=None):
    backend = get_backend()
    backend.clear()
    count = 0
    for type_key, *_ in SECTIONS:
        for page in indexable_pages(type_key):
            backend.index([build_document(page)])
            count += 1
            if progress:
                progress(count)
    return count
