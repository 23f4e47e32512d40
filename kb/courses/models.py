"""Training courses: an ordered list of modules, each teaching with cases, principles and policies."""

from django.db import models
from django.db.models import Q
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable
from wagtail.search import index

from kb.core.blocks import BodyBlock
from kb.core.models import IndexPage, KnowledgePage, link_fields


def text_lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def format_minutes(minutes):
    hours, rest = divmod(minutes or 0, 60)
    if hours and rest:
        return f"{hours}小时{rest}分钟"
    if hours:
        return f"{hours}小时"
    return f"{rest}分钟"


class CourseIndexPage(IndexPage):
    subpage_types = ["courses.CoursePage"]
    parent_page_types = ["core.HomePage"]
    max_count = 1

    class Meta:
        verbose_name = "课程库首页"

    def get_children_queryset(self):
        return super().get_children_queryset().prefetch_related("audience", "modules")


class CoursePage(KnowledgePage):
    type_key = "course"
    type_label = "课程"

    audience = ParentalManyToManyField(
        "vocabularies.Audience", verbose_name="培训对象", blank=True, related_name="courses"
    )
    prerequisites = models.TextField("参加条件", blank=True)
    objectives = models.TextField("课程目标", blank=True, help_text="每行一个目标。")
    issues = ParentalManyToManyField(
        "vocabularies.Issue", verbose_name="议题", blank=True, related_name="courses"
    )
    actors = ParentalManyToManyField(
        "vocabularies.Actor", verbose_name="治理主体", blank=True, related_name="courses"
    )
    methods = ParentalManyToManyField(
        "vocabularies.Method", verbose_name="方法与机制", blank=True, related_name="courses"
    )
    body = StreamField(BodyBlock(), verbose_name="课程介绍", blank=True)
    principles = ParentalManyToManyField(
        "principles.PrinciplePage", verbose_name="相关原则", blank=True, related_name="cited_by_courses"
    )
    policies = ParentalManyToManyField(
        "policies.PolicyPage", verbose_name="相关政策", blank=True, related_name="cited_by_courses"
    )
    cases = ParentalManyToManyField(
        "cases.CasePage", verbose_name="相关案例", blank=True, related_name="cited_by_courses"
    )

    content_panels = KnowledgePage.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel(
            [FieldPanel("audience"), FieldPanel("prerequisites"), FieldPanel("objectives")],
            heading="课程信息",
        ),
        MultiFieldPanel(
            [FieldPanel("issues"), FieldPanel("actors"), FieldPanel("methods")],
            heading="分类",
        ),
        FieldPanel("body"),
        InlinePanel("modules", label="单元", heading="课程单元（总时长由各单元分钟数相加得出）"),
        MultiFieldPanel(
            [FieldPanel("principles"), FieldPanel("policies"), FieldPanel("cases")],
            heading="关联",
        ),
        *KnowledgePage.source_panels,
    ]
    search_fields = KnowledgePage.search_fields + [
        index.SearchField("objectives"),
        index.SearchField("body"),
        index.RelatedFields("modules", [index.SearchField("title"), index.SearchField("activity")]),
        index.RelatedFields("audience", [index.SearchField("name")]),
    ]
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "课程"
        verbose_name_plural = "课程"

    @classmethod
    def links_to_q(cls, target):
        """A course links to a page from its own relations or from any of its modules."""
        condition = super().links_to_q(target)
        for field in link_fields(CourseModule, type(target)):
            condition |= Q(**{f"modules__{field.name}": target})
        return condition

    @property
    def total_minutes(self):
        return sum(module.minutes or 0 for module in self.modules.all())

    @property
    def duration_display(self):
        return format_minutes(self.total_minutes)

    @property
    def objective_list(self):
        return text_lines(self.objectives)


class CourseModule(Orderable, ClusterableModel):
    """One teaching unit of a course, in the order it is taught."""

    page = ParentalKey(CoursePage, on_delete=models.CASCADE, related_name="modules")
    title = models.CharField("单元名称", max_length=200)
    minutes = models.PositiveIntegerField("时长（分钟）")
    objectives = models.TextField("单元目标", blank=True, help_text="每行一个目标。")
    activity = models.TextField("活动与方法说明", blank=True)
    method = models.ForeignKey(
        "vocabularies.Method", verbose_name="主要方法", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="course_modules",
    )  # fmt: skip
    cases = ParentalManyToManyField(
        "cases.CasePage", verbose_name="案例", blank=True, related_name="course_modules"
    )
    principles = ParentalManyToManyField(
        "principles.PrinciplePage", verbose_name="原则", blank=True, related_name="course_modules"
    )
    policies = ParentalManyToManyField(
        "policies.PolicyPage", verbose_name="政策", blank=True, related_name="course_modules"
    )

    panels = [
        FieldPanel("title"),
        FieldPanel("minutes"),
        FieldPanel("objectives"),
        FieldPanel("activity"),
        FieldPanel("method"),
        FieldPanel("cases"),
        FieldPanel("principles"),
        FieldPanel("policies"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = "课程单元"
        verbose_name_plural = "课程单元"

    def __str__(self):
        return self.title

    @property
    def objective_list(self):
        return text_lines(self.objectives)

    @property
    def duration_display(self):
        return format_minutes(self.minutes)


CourseIndexPage.child_model = CoursePage
