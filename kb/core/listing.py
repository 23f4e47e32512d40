"""An index page's listing when its type declares filters: the search service, restricted to the type.

`/cases/?issue=停车难&region=四川省&sort=title&page=2` asks search (search.service) what
`/search/?type=case&issue=停车难&region=四川省&sort=title&page=2` asks it: the page of results,
the total and every facet's counts come from the index in one search, whatever the number of
pages, and the cards are drawn from the hits (no query per card). Only the index page class's
`listing_facets` and `listing_sorts` are read from the query string; `q` and `type` are not.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.http import QueryDict


@dataclass
class Listing:
    hits: list = field(default_factory=list)
    page: Page | None = None  # a Paginator page over the total, for includes/pagination.html
    groups: list = field(default_factory=list)  # (facet, legend, [FacetValue]) in the class's order
    chips: list = field(default_factory=list)  # {"facet", "value", "remove"}
    sorts: dict = field(default_factory=dict)
    sort: str = ""
    type_label: str = ""
    clear_url: str = ""  # the listing without filters, in the same order
    error: str = ""

    @property
    def active(self):
        """How many filter values are selected (the 筛选 (2) of the filter control)."""
        return len(self.chips)


def listing_params(index_page, params):
    """The search parameters of a listing: its type, its own facets, its sort and the page."""
    query = QueryDict(mutable=True)
    query["type"] = index_page.child_model.type_key
    for facet in index_page.listing_facets:
        values = params.getlist(facet)
        if values:
            query.setlist(facet, values)
    sort = params.get("sort") or next(iter(index_page.listing_sorts))
    query["sort"] = sort if sort in index_page.listing_sorts else "__unknown__"
    if params.get("page"):
        query["page"] = params["page"]
    query["page_size"] = str(index_page.per_page)
    return query


def build_listing(index_page, request):
    """The Listing of an index page for this request; `error` set (in Chinese) for bad parameters."""
    from search.facets import listed
    from search.query import SORTS, BadQuery, check_query_string
    from search.schema import FACETS
    from search.service import search
    from search.views import chip_links

    sorts = {key: SORTS[key] for key in index_page.listing_sorts}
    default_sort = next(iter(sorts))
    sort = request.GET.get("sort") or default_sort
    listing = Listing(
        sorts=sorts,
        sort=sort,
        type_label=index_page.child_model.type_label,
        clear_url=request.path + ("" if sort == default_sort else "?" + urlencode({"sort": sort})),
    )
    params = listing_params(index_page, request.GET)
    try:
        check_query_string(request.META.get("QUERY_STRING", ""))
        if params["sort"] not in sorts:
            raise BadQuery(f"未知的排序方式“{request.GET.get('sort')}”，可选：{'、'.join(sorts.values())}。")
        results = search(params)
    except BadQuery as error:
        listing.error = str(error)
        return listing
    listing.hits = results.hits
    # The hits are the page already: the paginator only counts (a range is never materialised).
    listing.page = Page(
        results.hits, results.query.page, Paginator(range(results.total), index_page.per_page)
    )
    for facet in index_page.listing_facets:
        values = results.facets.get(facet, [])
        shown = listed(values)
        if shown:
            listing.groups.append((facet, FACETS[facet], shown))
    selected = [(facet, value) for facet, _, values in listing.groups for value in values if value.selected]
    links = chip_links(request.GET, [(facet, value.value) for facet, value in selected])
    listing.chips = [
        {"facet": FACETS[facet], "value": value.label, "remove": link}
        for (facet, value), link in zip(selected, links, strict=True)
    ]
    return listing
