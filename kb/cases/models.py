"""The case library: one community's story per page, in sections that compare across cases."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.forms import CheckboxSelectMultiple
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.search import index

from kb.contributions.panels import ContributionPanel
from kb.core import api_fields as api
from kb.core.fields import UNDATED, ReaderDate
from kb.core.models import IndexPage, KnowledgePage
from kb.core.widgets import PageMultipleChooser
from search.schema import admin_search_fields

from .blocks import CASE_SECTIONS, CaseBodyBlock
from .forms import CasePageForm

YEAR_VALIDATORS = [MinValueValidator(1949), MaxValueValidator(2100)]


class CaseIndexPage(IndexPage):
    child_model = None  # set below, once CasePage exists
    subpage_types = ["cases.CasePage"]
    parent_page_types = ["core.HomePage"]
    max_count = 1
    default_slug = "cases"
    default_title = "案例库"
    default_intro = "按议题、地区、社区类型查找各地社区解决问题的完整过程：谁参与、怎么做、定了什么规则、效果如何、有哪些教训。"
    group_permissions = {"编辑": ("add", "change", "lock")}
    listing_facets = ("issue", "region", "community_type", "actor", "method")

    class Meta:
        verbose_name = "案例库首页"

    def get_children_queryset(self):
        return (
            super()
            .get_children_queryset()
            .select_related("region", "community_type")
            .prefetch_related("issues")
        )


class CasePage(KnowledgePage):
    type_key = "case"
    type_label = "案例"
    type_order = 1
    body_sections = CASE_SECTIONS
    import_rules = "kb.cases.importing.CaseRules"
    base_form_class = CasePageForm
    linked_headings = (
        ("principle", "相关原则"),
        ("policy", "相关政策"),
        ("case", "相关案例"),
        ("course", "使用本案例的课程"),
    )

    region = models.ForeignKey(
        "vocabularies.Region", verbose_name="地区", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="cases",
    )  # fmt: skip
    community_type = models.ForeignKey(
        "vocabularies.CommunityType", verbose_name="社区类型", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="cases",
    )  # fmt: skip
    year_start = models.PositiveSmallIntegerField(
        "起始年份", null=True, blank=True, validators=YEAR_VALIDATORS
    )
    year_end = models.PositiveSmallIntegerField("结束年份", null=True, blank=True, validators=YEAR_VALIDATORS)
    scale = models.CharField("规模", max_length=200, blank=True, help_text="如：28个社区、约13万人")
    contributor_credit = models.CharField(
        "投稿人", max_length=100, blank=True, help_text="公开投稿的案例在页面上署名的投稿人（个人或机构）。"
    )
    issues = ParentalManyToManyField(
        "vocabularies.Issue", verbose_name="议题", blank=True, related_name="cases"
    )
    actors = ParentalManyToManyField(
        "vocabularies.Actor", verbose_name="治理主体", blank=True, related_name="cases"
    )
    methods = ParentalManyToManyField(
        "vocabularies.Method", verbose_name="方法与机制", blank=True, related_name="cases"
    )
    cover_image = models.ForeignKey(
        "wagtailimages.Image", verbose_name="封面图", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    body = StreamField(CaseBodyBlock(), verbose_name="正文", blank=True)
    principles = ParentalManyToManyField(
        "principles.PrinciplePage", verbose_name="相关原则", blank=True, related_name="cited_by_cases"
    )
    policies = ParentalManyToManyField(
        "policies.PolicyPage", verbose_name="相关政策", blank=True, related_name="cited_by_cases"
    )
    related_cases = ParentalManyToManyField(
        "self", verbose_name="相关案例", blank=True, symmetrical=False, related_name="cited_by_cases"
    )

    content_panels = KnowledgePage.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("region"),
                FieldPanel("community_type"),
                FieldRowPanel([FieldPanel("year_start"), FieldPanel("year_end")]),
                FieldPanel("scale"),
            ],
            heading="基本信息",
        ),
        MultiFieldPanel(
            [
                FieldPanel("issues", widget=CheckboxSelectMultiple),
                FieldPanel("actors", widget=CheckboxSelectMultiple),
                FieldPanel("methods", widget=CheckboxSelectMultiple),
            ],
            heading="分类",
        ),
        FieldPanel("cover_image"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("principles", widget=PageMultipleChooser),
                FieldPanel("policies", widget=PageMultipleChooser),
                FieldPanel("related_cases", widget=PageMultipleChooser),
            ],
            heading="关联",
        ),
        *KnowledgePage.source_panels,
        FieldPanel("contributor_credit"),
        ContributionPanel(),
    ]
    api_fields = KnowledgePage.api_fields + [
        api.region(),
        api.term("community_type"),
        APIField("year_start"),
        APIField("year_end"),
        APIField("scale"),
        APIField("contributor_credit"),
        api.terms("issues"),
        api.terms("actors"),
        api.terms("methods"),
        APIField("cover_image"),
        APIField("body"),
        api.links("principles"),
        api.links("policies"),
        api.links("related_cases"),
    ]
    search_fields = [
        *KnowledgePage.search_fields,
        *admin_search_fields(
            terms=[("issues", "name"), ("actors", "name"), ("methods", "name")], body=["scale", "body"]
        ),
        index.FilterField("year_start"),
    ]
    parent_page_types = ["cases.CaseIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "案例"
        verbose_name_plural = "案例"

    def clean(self):
        super().clean()
        if self.year_start and self.year_end and self.year_end < self.year_start:
            raise ValidationError({"year_end": "结束年份不能早于起始年份。"})

    @classmethod
    def indexed_queryset(cls):
        return (
            super()
            .indexed_queryset()
            .select_related("region", "community_type")
            .prefetch_related("issues", "actors", "methods")
        )

    def add_search_parts(self, parts):
        parts.body.insert(0, self.scale)
        if self.year_start:
            parts.facets["year"] = [str(self.year_start)]
        parts.date, parts.date_label = self.reader_date

    @property
    def reader_date(self):
        """A case is dated by its years, shown as they are known (2015年起, 2015—2018年, 至2018年);
        the latest known year orders it among the newest."""
        if not (self.year_start or self.year_end):
            return UNDATED
        return ReaderDate(str(self.year_end or self.year_start), self.years_display)

    @property
    def years_display(self):
        if self.year_start and self.year_end and self.year_end != self.year_start:
            return f"{self.year_start}—{self.year_end}年"
        if self.year_start:
            return f"{self.year_start}年起"
        if self.year_end:
            return f"至{self.year_end}年"
        return ""


CaseIndexPage.child_model = CasePage
