"""API v2's `search` answered by the site's own search, and bounded paging.

Wagtail's stock search filter hands `?search=` to the admin's index, where an unmatched quote or
a NUL byte raised a database error (500) and a few hundred repeated words ran for seconds. Here
the words go through the search service every public search uses: the same Chinese analysis,
validation (400 with a Chinese message) and limits. The API lists the best
MAX_SEARCH_RESULTS matches, in relevance order unless `order` is given; `/api/search/` pages
through all of them.
"""

from django.db.models import Case, IntegerField, When
from django.http import QueryDict
from rest_framework.filters import BaseFilterBackend
from wagtail.api.v2.pagination import WagtailPagination
from wagtail.api.v2.utils import BadRequestError

from search.query import MAX_PAGE_SIZE, BadQuery
from search.service import search as site_search

MAX_SEARCH_RESULTS = MAX_PAGE_SIZE
MAX_OFFSET = 1_000_000  # beyond any library; a larger number overflowed the database's integers


class SiteSearchFilter(BaseFilterBackend):
    """Keeps the pages the site's search finds for `search`, best first (last filter: it orders)."""

    def filter_queryset(self, request, queryset, view):
        text = request.GET.get("search")
        if text is None or not text.strip():
            return queryset
        if getattr(queryset, "_filtered_by_tag", False):
            raise BadRequestError("不支持同时按标签筛选和搜索。")
        params = QueryDict(mutable=True)
        params.update({"q": text, "page_size": str(MAX_SEARCH_RESULTS)})
        type_key = getattr(queryset.model, "type_key", "")
        if type_key:
            params["type"] = type_key
        try:
            results = site_search(params)
        except BadQuery as error:
            raise BadRequestError(str(error)) from None
        page_ids = [hit.page_id for hit in results.hits]
        queryset = queryset.filter(pk__in=page_ids)
        if "order" in request.GET or not page_ids:
            return queryset
        rank = Case(
            *(When(pk=pk, then=position) for position, pk in enumerate(page_ids)), output_field=IntegerField()
        )
        return queryset.order_by(rank)


class BoundedPagination(WagtailPagination):
    def paginate_queryset(self, queryset, request, view=None):
        offset = request.GET.get("offset", "0")
        if offset.isdigit() and int(offset) > MAX_OFFSET:
            raise BadRequestError(f"offset 不能大于 {MAX_OFFSET}。")
        return super().paginate_queryset(queryset, request, view)
