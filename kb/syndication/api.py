"""Wagtail's API v2 (read-only, public content only): pages with their structured fields, images
and documents. Each page type lists its fields in `api_fields` (kb/core/api_fields.py)."""

from wagtail.api.v2.filters import SearchFilter
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

from .api_search import BoundedPagination, SiteSearchFilter


class PagesEndpoint(PagesAPIViewSet):
    # `search` is answered by the site's search (api_search.py), still last: it orders by relevance.
    filter_backends = [f for f in PagesAPIViewSet.filter_backends if f is not SearchFilter] + [
        SiteSearchFilter
    ]
    pagination_class = BoundedPagination


class ImagesEndpoint(ImagesAPIViewSet):
    pagination_class = BoundedPagination


class DocumentsEndpoint(DocumentsAPIViewSet):
    pagination_class = BoundedPagination


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PagesEndpoint)
api_router.register_endpoint("images", ImagesEndpoint)
api_router.register_endpoint("documents", DocumentsEndpoint)
