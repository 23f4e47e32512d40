"""The home page and what every knowledge page shares: summary, source citation, links both ways."""

from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page
from wagtail.search import index

from search.schema import admin_search_fields

from . import api_fields as api
from .fields import UNDATED, PartialDateField, format_partial_date
from .forms import KnowledgePageForm
from .visibility import public_live


def link_fields(model, target_model):
    """The many-to-many fields of `model` that point at `target_model` as "see also" links."""
    excluded = getattr(model, "lifecycle_link_fields", ())
    return [
        field
        for field in model._meta.get_fields()
        if isinstance(field, ParentalManyToManyField)
        and field.related_model is target_model
        and field.name not in excluded
    ]


class KnowledgePage(RoutablePageMixin, Page):
    """Base of the four content types (case, policy, principle, course)."""

    # What the registry (kb.core.page_types) reads: each concrete type sets these.
    type_key = ""  # "case", "policy", ...: the value used by the import format and search
    type_label = ""  # 案例, 政策, ...
    type_order = 0  # the place of the type in the site's menus and lists
    body_sections = ()  # (key, heading) of the standard sections of the body, if it has them
    import_rules = ""  # dotted path of the type's import rules (kb.importing.rules.TypeRules)
    # The "linked pages" blocks of the page, in order: (type key, heading).
    linked_headings = ()
    # Relation fields that carry a meaning of their own (e.g. 废止) rather than "see also".
    lifecycle_link_fields = ()
    base_form_class = KnowledgePageForm

    summary = models.TextField(
        "摘要", max_length=300, blank=True, help_text="一两句话，列表和搜索结果中显示。"
    )
    source_title = models.CharField("来源标题", max_length=255, blank=True)
    source_author = models.CharField("来源作者", max_length=255, blank=True)
    source_url = models.URLField("来源链接", max_length=500, blank=True)
    source_date = PartialDateField("来源日期")
    source_note = models.CharField("来源备注", max_length=255, blank=True)

    source_panels = [
        MultiFieldPanel(
            [
                FieldPanel("source_title"),
                FieldPanel("source_author"),
                FieldPanel("source_url"),
                FieldPanel("source_date"),
                FieldPanel("source_note"),
            ],
            heading="来源",
        )
    ]
    api_fields = api.KNOWLEDGE_PAGE_FIELDS
    # The admin's search: fields by column of the public search's schema, weighted as it is (the
    # title's SearchField replaces Page's boost of 2). Each type adds its own the same way.
    search_fields = Page.search_fields + admin_search_fields(
        title=["title"], summary=["summary"], body=["source_title", "source_author"]
    )

    class Meta:
        abstract = True

    @classmethod
    def indexed_queryset(cls):
        """The pages of this type that belong in the site's search index, with what their
        documents read (search.documents), fetched in a few queries per batch."""
        return public_live(cls.objects.all())

    def add_search_parts(self, parts):
        """Add this type's own facets, terms, body text and date to its search document.

        `parts` (search.documents.DocumentParts) already holds what every page has: the title's
        type, vocabulary facets, region and body. Override in a page type; the default adds nothing.
        """

    @property
    def reader_date(self):
        """The ReaderDate a reader dates this page by (kb.core.fields): shown with the page in
        cards and search results, and the order of "newest". Each dated type defines its own; a
        page's publication time is never it (an import day says nothing about the content)."""
        return UNDATED

    @path("cite/")
    def cite(self, request):
        """PAGE_URL/cite/?format=ris|bibtex|csl-json (kb.citations)."""
        from kb.citations.views import cite_response

        return cite_response(request, self)

    @property
    def source_date_display(self):
        return format_partial_date(self.source_date)

    @property
    def has_source(self):
        return any([self.source_title, self.source_author, self.source_url, self.source_note])

    @classmethod
    def links_to_q(cls, target):
        """A filter on this class for the pages that link to `target`."""
        condition = Q(pk__in=[])
        for field in link_fields(cls, type(target)):
            condition |= Q(**{field.name: target})
        return condition

    def linked_pages(self, model):
        """Public live pages of `model` this page links to or that link to it: links show both ways."""
        linked_ids = set()
        for field in link_fields(type(self), model):
            linked_ids.update(page.pk for page in getattr(self, field.name).all())
        condition = Q(pk__in=linked_ids)
        if self.pk:
            condition |= model.links_to_q(self)
        return public_live(model.objects.filter(condition)).exclude(pk=self.pk).distinct().order_by("title")

    def linked_of_type(self, type_key):
        from .page_types import page_model

        return self.linked_pages(page_model(type_key))

    @property
    def linked_sections(self):
        """The page's "linked pages" blocks: heading, anchor and pages, for includes/linked_sections."""
        from .page_types import page_model

        sections = []
        for type_key, heading in self.linked_headings:
            model = page_model(type_key)
            # The anchor names the section by the app's label (linked-cases, linked-policies, …).
            anchor = f"linked-{model._meta.app_label}"
            sections.append({"heading": heading, "anchor": anchor, "pages": self.linked_pages(model)})
        return sections

    @property
    def linked_cases(self):
        return self.linked_of_type("case")

    @property
    def linked_policies(self):
        return self.linked_of_type("policy")

    @property
    def linked_principles(self):
        return self.linked_of_type("principle")

    @property
    def linked_courses(self):
        return self.linked_of_type("course")


class IndexPage(Page):
    """Base of the four listing pages: an introduction and the live children."""

    child_model = None  # set by each concrete index
    per_page = 30
    # What ensure_site_structure creates, and the editorial groups' page permissions on it
    # (group name → actions), read through kb.core.page_types.
    default_slug = ""
    default_title = ""
    default_intro = ""
    group_permissions = {}
    # The facets (search.schema.FACETS keys) the listing filters by, in the order shown; with any,
    # the listing is a search restricted to the type (kb.core.listing), else the live children.
    listing_facets = ()
    listing_sorts = ("newest", "title")  # search.query.SORTS keys; the first is the default

    intro = models.TextField("导语", blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    class Meta:
        abstract = True

    def get_children_queryset(self):
        return public_live(self.child_model.objects.child_of(self)).order_by("title")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if self.listing_facets:
            from .listing import build_listing

            listing = build_listing(self, request)
            context["listing"] = listing
            context["items"] = listing.page
            return context
        paginator = Paginator(self.get_children_queryset(), self.per_page)
        context["items"] = paginator.get_page(request.GET.get("page"))
        return context

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        listing = (getattr(response, "context_data", None) or {}).get("listing")
        if listing is not None and listing.error:
            response.status_code = 400
        return response


def newest_pages(type_key, limit):
    """The newest public pages of a type, in the order of the search's `sort=newest` (by the date
    a reader dates them by, undated last): 最新案例 on the home page."""
    from search.matching import newest_ids

    from .page_types import page_model

    ids = newest_ids(type_key, limit)
    # The type's indexed pages: public and live, with what a card shows fetched in a few queries.
    pages = page_model(type_key).indexed_queryset().filter(pk__in=ids) if ids else []
    found = {page.pk: page for page in pages}
    return [found[page_id] for page_id in ids if page_id in found]


class HomePage(Page):
    """Leads a newcomer to the four kinds of content and to search."""

    intro = models.TextField("导语", blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = "首页"

    def get_context(self, request, *args, **kwargs):
        from .page_types import site_sections

        context = super().get_context(request, *args, **kwargs)
        context["sections"] = site_sections()
        context["recent_cases"] = newest_pages("case", 6)
        return context
