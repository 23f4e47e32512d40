"""GET /feeds/search.rss and /feeds/search.atom: subscribe to a search (the query string of /search/).

The feed lists the 50 matching pages published most recently (first publication), so a page added
to the library today appears at the top whatever year it is about. Matching ids come from
`search.matching`; their publication dates are read in batches.
"""

import heapq
from dataclasses import dataclass

from django.http import JsonResponse
from django.utils.feedgenerator import Atom1Feed
from wagtail.models import Page

from kb.syndication.feeds import PageFeed
from search.export import BATCH_SIZE, pages_in_order
from search.matching import matching
from search.query import BadQuery, parse_params
from search.schema import FACETS

FEED_LENGTH = 50


@dataclass
class SubscribedSearch:
    query: object  # SearchQuery
    params: str  # its query string, for the feed's link to the search page


def newest_matches(query, limit=FEED_LENGTH):
    """The specific pages a search matches, most recently first-published first."""
    matches = matching(query)
    newest = []
    for start in range(0, len(matches.entries), BATCH_SIZE):
        batch = dict(matches.entries[start : start + BATCH_SIZE])
        dates = Page.objects.filter(pk__in=list(batch)).values_list("pk", "first_published_at")
        newest = heapq.nlargest(limit, [*newest, *((d, pk) for pk, d in dates if d)])
    kinds = dict(matches.entries)
    return list(pages_in_order([(pk, kinds[pk]) for _, pk in newest]))


def describe(query):
    """The search in words, for the feed's title: 停车难、上海市 …"""
    words = [query.q] if query.q else []
    for facet, values in query.filters.items():
        words.append(f"{FACETS[facet]}：{'、'.join(values)}")
    return "；".join(words) or "全部内容"


class SearchFeed(PageFeed):
    description_template = None

    def __call__(self, request, *args, **kwargs):
        params = request.GET.copy()
        try:
            parse_params(params)  # a bad sort or page is refused as the search API refuses it…
            for name in ("page", "page_size", "sort"):
                params.pop(name, None)  # …but a feed always lists the newest, from the first
            request.kb_search_query = parse_params(params)
        except BadQuery as error:
            return JsonResponse({"error": str(error)}, status=400, json_dumps_params={"ensure_ascii": False})
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, *args, **kwargs):
        params = request.GET.copy()
        params.pop("page", None)
        return SubscribedSearch(request.kb_search_query, params.urlencode())

    def title(self, search):
        return f"社区营造知识库 · 搜索订阅（{describe(search.query)}）"

    def link(self, search):
        return "/search/" + (f"?{search.params}" if search.params else "")

    def description(self, search):
        return f"符合这次搜索的新发布内容：{describe(search.query)}。"

    def items(self, search):
        return newest_matches(search.query)


class SearchAtomFeed(SearchFeed):
    feed_type = Atom1Feed
    subtitle = SearchFeed.description
