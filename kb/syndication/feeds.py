"""RSS and Atom feeds of newly published cases and policies, filterable by type and issue."""

from django.contrib.syndication.views import Feed
from django.http import HttpResponseBadRequest
from django.utils.feedgenerator import Atom1Feed

from kb.core.page_types import page_model, type_labels
from kb.core.visibility import public_live
from kb.vocabularies.models import Issue

FEED_TYPES = ("case", "policy")
FEED_LENGTH = 50


class FeedFilterError(ValueError):
    """A filter readers can fix; the message is in Chinese."""


def feed_filters(params):
    """(types, issues) from the query string: `type` and `issue`, each repeatable."""
    types = [t for t in params.getlist("type") if t.strip()] or list(FEED_TYPES)
    for type_key in types:
        if type_key not in FEED_TYPES:
            raise FeedFilterError(f"未知的类型“{type_key}”：订阅只提供 case（案例）和 policy（政策）。")
    issues = [i.strip() for i in params.getlist("issue") if i.strip()]
    known = set(Issue.objects.filter(name__in=issues).values_list("name", flat=True))
    unknown = [i for i in issues if i not in known]
    if unknown:
        raise FeedFilterError(f"未知的议题“{'、'.join(unknown)}”：请使用议题词表中的名称。")
    return list(dict.fromkeys(types)), issues


def latest_pages(types, issues, limit=FEED_LENGTH):
    """The most recently first-published live, public pages of these types, newest first."""
    pages = []
    for type_key in types:
        queryset = public_live(page_model(type_key).objects.all())
        if issues:
            queryset = queryset.filter(issues__name__in=issues).distinct()
        pages += queryset.prefetch_related("issues").order_by("-first_published_at")[:limit]
    return sorted(pages, key=lambda page: page.first_published_at, reverse=True)[:limit]


class PageFeed(Feed):
    """A feed of knowledge pages: what every item shows, whatever selects the items."""

    def item_title(self, item):
        return f"[{item.type_label}] {item.title}"

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.url

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at


class LatestPagesFeed(PageFeed):
    description_template = None

    def __call__(self, request, *args, **kwargs):
        try:
            self.filters = feed_filters(request.GET)
        except FeedFilterError as error:
            return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
        return super().__call__(request, *args, **kwargs)

    def title(self):
        types, issues = self.filters
        label = "与".join(type_labels()[t] for t in types)
        return f"社区营造知识库 · 最新{label}" + (f"（{'、'.join(issues)}）" if issues else "")

    def link(self):
        return "/search/?sort=newest"

    def description(self):
        return "新发布的社区营造案例与政策文件。"

    def items(self):
        return latest_pages(*self.filters)

    def item_categories(self, item):
        return [type_labels()[item.type_key], *(issue.name for issue in item.issues.all())]


class LatestPagesAtomFeed(LatestPagesFeed):
    feed_type = Atom1Feed
    subtitle = LatestPagesFeed.description
