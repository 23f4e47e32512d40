"""Named principles and ideas, in families (成都社区营造六原则, 南通“六微” …)."""

from itertools import groupby

from django.db import models
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.search import index

from kb.core import api_fields as api
from kb.core.blocks import BodyBlock
from kb.core.models import IndexPage, KnowledgePage
from kb.core.visibility import public_live
from kb.core.widgets import PageMultipleChooser
from search.schema import admin_search_fields


class PrincipleIndexPage(IndexPage):
    subpage_types = ["principles.PrinciplePage"]
    parent_page_types = ["core.HomePage"]
    max_count = 1
    default_slug = "principles"
    default_title = "原则与理念"
    default_intro = "社区营造工作背后的原则与理念，按体系归类，并列出体现它们的案例、政策和课程。"
    group_permissions = {"编辑": ("add", "change", "lock")}
    per_page = 200  # principles are few and read as families, so one page shows them all

    class Meta:
        verbose_name = "原则库首页"

    def get_children_queryset(self):
        return super().get_children_queryset().order_by("group", "order", "title")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["groups"] = [
            (group or "其他", list(members))
            for group, members in groupby(context["items"], key=lambda page: page.group)
        ]
        return context


class PrinciplePage(KnowledgePage):
    type_key = "principle"
    type_label = "原则"
    type_order = 3
    import_rules = "kb.principles.importing.PrincipleRules"
    linked_headings = (
        ("case", "体现这一原则的案例"),
        ("policy", "相关政策"),
        ("principle", "相关原则"),
        ("course", "使用它的课程"),
    )

    group = models.CharField("所属体系", max_length=100, blank=True, help_text="如：成都社区营造六原则")
    order = models.PositiveSmallIntegerField("体系内序号", default=0)
    body = StreamField(BodyBlock(), verbose_name="阐释", blank=True)
    cases = ParentalManyToManyField(
        "cases.CasePage", verbose_name="示例案例", blank=True, related_name="cited_by_principles"
    )
    policies = ParentalManyToManyField(
        "policies.PolicyPage", verbose_name="相关政策", blank=True, related_name="cited_by_principles"
    )
    related_principles = ParentalManyToManyField(
        "self", verbose_name="相关原则", blank=True, symmetrical=False, related_name="cited_by_principles"
    )

    content_panels = KnowledgePage.content_panels + [
        FieldPanel("summary"),
        FieldRowPanel([FieldPanel("group"), FieldPanel("order")]),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("cases", widget=PageMultipleChooser),
                FieldPanel("policies", widget=PageMultipleChooser),
                FieldPanel("related_principles", widget=PageMultipleChooser),
            ],
            heading="关联",
        ),
        *KnowledgePage.source_panels,
    ]
    api_fields = KnowledgePage.api_fields + [
        APIField("group"),
        APIField("order"),
        APIField("body"),
        api.links("cases"),
        api.links("policies"),
        api.links("related_principles"),
    ]
    search_fields = [
        *KnowledgePage.search_fields,
        *admin_search_fields(terms=["group"], body=["body"]),
        index.FilterField("group"),
    ]
    parent_page_types = ["principles.PrincipleIndexPage"]
    subpage_types = []

    def add_search_parts(self, parts):
        parts.terms.append(self.group)

    class Meta:
        verbose_name = "原则"
        verbose_name_plural = "原则"

    @property
    def siblings_in_group(self):
        """The other members of this principle's family, in order."""
        if not self.group:
            return PrinciplePage.objects.none()
        return (
            public_live(PrinciplePage.objects.filter(group=self.group))
            .exclude(pk=self.pk)
            .order_by("order", "title")
        )


PrincipleIndexPage.child_model = PrinciplePage
