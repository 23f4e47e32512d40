"""The home page and what every knowledge page shares: summary, source citation, links both ways."""

from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.models import Page
from wagtail.search import index

from . import api_fields as api
from .fields import PartialDateField, format_partial_date
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


class KnowledgePage(Page):
    """Base of the four content types (case, policy, principle, course)."""

    type_key = ""  # "case", "policy", ...: the value used by the import format and search
    type_label = ""  # 案例, 政策, ...
    # Relation fields that carry a meaning of their own (e.g. 废止) rather than "see also".
    lifecycle_link_fields = ()

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
    search_fields = Page.search_fields + [
        index.SearchField("summary", boost=2),
        index.SearchField("source_title"),
        index.SearchField("source_author"),
    ]

    class Meta:
        abstract = True

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

    @property
    def linked_cases(self):
        from cases.models import CasePage

        return self.linked_pages(CasePage)

    @property
    def linked_policies(self):
        from kb.policies.models import PolicyPage

        return self.linked_pages(PolicyPage)

    @property
    def linked_principles(self):
        from kb.principles.models import PrinciplePage

        return self.linked_pages(PrinciplePage)

    @property
    def linked_courses(self):
        from kb.courses.models import CoursePage

        return self.linked_pages(CoursePage)


class IndexPage(Page):
    """Base of the four listing pages: an introduction and the live children."""

    child_model = None  # set by each concrete index
    per_page = 30

    intro = models.TextField("导语", blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    class Meta:
        abstract = True

    def get_children_queryset(self):
        return public_live(self.child_model.objects.child_of(self)).order_by("title")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        paginator = Paginator(self.get_children_queryset(), self.per_page)
        context["items"] = paginator.get_page(request.GET.get("page"))
        return context


class HomePage(Page):
    """Leads a newcomer to the four kinds of content and to search."""

    intro = models.TextField("导语", blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = "首页"

    def get_context(self, request, *args, **kwargs):
        from cases.models import CasePage

        from .sections import site_sections

        context = super().get_context(request, *args, **kwargs)
        context["sections"] = site_sections()
        context["recent_cases"] = (
            public_live(CasePage.objects.all())
            .select_related("region", "community_type")
            .order_by("-first_published_at")[:6]
        )
        return context
