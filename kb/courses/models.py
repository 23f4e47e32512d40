"""Training courses: an ordered list of modules, each teaching with cases, principles and policies.

Reuse: the module library (课程模块库) and the modules of a course
--------------------------------------------------------------------
A module is written once and taught in many courses, but each course adapts it: a different case
for a different city, ten minutes less for an evening lecture, notes for this group of trainees.
So a course's modules are *copies*, not references:

- `ModuleTemplate` is a snippet: the library of reusable modules (课程模块库), edited on its own
  and duplicated with the snippet "copy" action.
- `CourseModule` is an Orderable inline row of the course page, with the same fields. Choosing a
  library module in its `library_module` chooser copies the library content into the row when the
  course is saved (when the row has no title yet, or when "用模块库内容填充" is ticked). The row
  keeps `library_module` as its provenance, so the library shows where each module is taught.

Copying keeps what participants see stable and under the course's own revisions: editing a
library module never silently changes a course that has already been taught or printed, and a
page revision always holds the whole course. A reference would have made every course change
with the library and left no room for per-course adaptation. The admin's "单元工具" (module
tools, `admin_views.py`) duplicates a module within a course, saves a course module into the
library and adds library modules to a course, each as a new draft revision of the course.

Instructor notes (讲师备注) are for facilitators only: they appear in the admin and in the
facilitator handout (for users who may edit the course), never on the public page, in the
participant handout or in any search index.
"""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.forms import CheckboxSelectMultiple
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import path
from wagtail.fields import StreamField
from wagtail.models import Orderable
from wagtail.search import index

from kb.core import api_fields as api
from kb.core.blocks import BodyBlock
from kb.core.models import IndexPage, KnowledgePage, link_fields
from kb.core.visibility import public_live_ids
from kb.core.widgets import PageMultipleChooser
from search.schema import admin_search_fields

from . import timetable
from .api_fields import CourseModules
from .panels import ModuleInlinePanel


def text_lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def format_minutes(minutes):
    hours, rest = divmod(minutes or 0, 60)
    if hours and rest:
        return f"{hours}小时{rest}分钟"
    if hours:
        return f"{hours}小时"
    return f"{rest}分钟"


# --------------------------------------------------------------------------- modules


class ModuleContent(models.Model):
    """What a module holds, shared by the library (`ModuleTemplate`) and courses (`CourseModule`).

    The relations are declared here once; each concrete model gets reverse names of its own from
    its class name (`case.moduletemplates`, `case.coursemodules`, ...), and tables of its own
    (`courses_coursemodule_cases`, ...), so the library and the courses never share rows.
    """

    title = models.CharField("单元名称", max_length=200)
    minutes = models.PositiveIntegerField("时长（分钟）", help_text="整个单元的时长，含讲授和练习。")
    exercise_minutes = models.PositiveIntegerField(
        "其中练习（分钟）",
        blank=True,
        default=0,
        help_text="时长中用于练习、讨论等学员活动的分钟数；其余为讲授。",
    )
    questions = models.TextField("本单元回答的问题", blank=True, help_text="每行一个问题。")
    objectives = models.TextField("单元目标", blank=True, help_text="每行一个目标。")
    key_points = models.TextField("要点", blank=True, help_text="每行一个要点。")
    activity = models.TextField("活动与方法说明", blank=True)
    instructor_notes = models.TextField(
        "讲师备注",
        blank=True,
        help_text="只给讲师看：不在课程页、学员讲义和搜索中出现，只印在讲师版讲义上。",
    )
    method = models.ForeignKey(
        "vocabularies.Method", verbose_name="主要方法", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="%(class)ss",
    )  # fmt: skip
    materials = ParentalManyToManyField(
        "wagtaildocs.Document", verbose_name="讲义与材料", blank=True, related_name="%(class)ss"
    )
    cases = ParentalManyToManyField(
        "cases.CasePage", verbose_name="案例", blank=True, related_name="%(class)ss"
    )
    principles = ParentalManyToManyField(
        "principles.PrinciplePage", verbose_name="原则", blank=True, related_name="%(class)ss"
    )
    policies = ParentalManyToManyField(
        "policies.PolicyPage", verbose_name="政策", blank=True, related_name="%(class)ss"
    )

    # Everything a copy carries over: plain fields, then the many-to-many relations.
    COPIED_FIELDS = [
        "title",
        "minutes",
        "exercise_minutes",
        "questions",
        "objectives",
        "key_points",
        "activity",
        "instructor_notes",
        "method",
    ]
    COPIED_RELATIONS = ["materials", "cases", "principles", "policies"]

    module_panels = [
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("minutes"), FieldPanel("exercise_minutes")]),
        FieldPanel("questions"),
        FieldPanel("objectives"),
        FieldPanel("key_points"),
        FieldPanel("activity"),
        FieldPanel("method"),
        FieldPanel("instructor_notes"),
        FieldPanel("materials", widget=CheckboxSelectMultiple),
        FieldPanel("cases", widget=PageMultipleChooser),
        FieldPanel("principles", widget=PageMultipleChooser),
        FieldPanel("policies", widget=PageMultipleChooser),
    ]

    class Meta:
        abstract = True

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.exercise_minutes is None:
            self.exercise_minutes = 0
        if self.minutes is not None and (self.exercise_minutes or 0) > self.minutes:
            raise ValidationError({"exercise_minutes": "练习时间不能超过单元时长。"})

    def copy_content_to(self, other):
        """Copy this module's content onto `other` (saved or not); `other` is returned."""
        for name in self.COPIED_FIELDS:
            setattr(other, name, getattr(self, name))
        for name in self.COPIED_RELATIONS:
            setattr(other, name, list(getattr(self, name).all()))
        return other

    @property
    def teaching_minutes(self):
        return max((self.minutes or 0) - (self.exercise_minutes or 0), 0)

    @property
    def duration_display(self):
        return format_minutes(self.minutes)

    @property
    def split_display(self):
        """ "讲授30分钟，练习60分钟", or "" when the module has no exercise time recorded."""
        if not self.exercise_minutes:
            return ""
        return f"讲授{format_minutes(self.teaching_minutes)}，练习{format_minutes(self.exercise_minutes)}"

    @property
    def objective_list(self):
        return text_lines(self.objectives)

    @property
    def question_list(self):
        return text_lines(self.questions)

    @property
    def key_point_list(self):
        return text_lines(self.key_points)


class ModuleTemplate(index.Indexed, ModuleContent, ClusterableModel):
    """A reusable module in the module library (课程模块库), copied into courses."""

    title = models.CharField(
        "单元名称",
        max_length=200,
        unique=True,
        error_messages={"unique": "模块库中已有同名模块，请换一个名称。"},
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    panels = ModuleContent.module_panels
    # Admin search only; instructor notes are deliberately left out.
    search_fields = [
        index.AutocompleteField("title"),
        *admin_search_fields(title=["title"], body=["questions", "objectives", "activity"]),
    ]

    class Meta:
        verbose_name = "模块库中的模块"
        verbose_name_plural = "课程模块库"
        ordering = ["title"]

    def courses(self):
        """The courses (latest saved state, live or not) whose modules were copied from this one."""
        return CoursePage.objects.filter(modules__library_module=self).distinct().order_by("title")

    def duration_column(self):
        return (
            f"{self.duration_display}（{self.split_display}）"
            if self.split_display
            else self.duration_display
        )

    duration_column.short_description = "时长"

    def usage_count(self):
        return self.courses().count()

    usage_count.short_description = "使用它的课程"


# --------------------------------------------------------------------------- pages


class CourseIndexPage(IndexPage):
    subpage_types = ["courses.CoursePage"]
    parent_page_types = ["core.HomePage"]
    max_count = 1
    default_slug = "courses"
    default_title = "培训课程"
    default_intro = "由案例、原则和政策组成的培训课程，每个单元列出时长、目标、活动方法和所用材料。"
    group_permissions = {"培训师": ("add", "change", "lock")}

    class Meta:
        verbose_name = "课程库首页"

    def get_children_queryset(self):
        return super().get_children_queryset().prefetch_related("audience", "modules")

    def get_context(self, request, *args, **kwargs):
        from django.core.paginator import Paginator

        from .catalogue import CourseFilters

        context = super(IndexPage, self).get_context(request, *args, **kwargs)
        filters = CourseFilters(request.GET, self.get_children_queryset())
        paginator = Paginator(filters.results, self.per_page)
        context["items"] = paginator.get_page(request.GET.get("page"))
        context["filters"] = filters
        return context


class CoursePage(KnowledgePage):  # routable through KnowledgePage
    type_key = "course"
    type_label = "课程"
    type_order = 4
    import_rules = "kb.courses.importing.CourseRules"
    linked_headings = (
        ("case", "课程使用的案例"),
        ("principle", "相关原则"),
        ("policy", "相关政策"),
        ("course", "相关课程"),
    )

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

    # Timetable rules (timetable.py): explicit and few.
    # Left empty, the timetable fields take their defaults (see `clean`).
    day_start = models.TimeField("每天开始时间", blank=True, default=timetable.default_day_start)
    day_end = models.TimeField("每天结束时间", blank=True, default=timetable.default_day_end)
    lunch_start = models.TimeField(
        "午餐时间", null=True, blank=True, default=timetable.default_lunch_start,
        help_text="午餐安排在最接近这个时间的两个单元之间；留空表示不安排午餐（如晚间讲座）。",
    )  # fmt: skip
    lunch_minutes = models.PositiveSmallIntegerField("午餐时长（分钟）", blank=True, default=60)
    break_minutes = models.PositiveSmallIntegerField(
        "课间休息（分钟）", blank=True, default=15, help_text="填 0 表示不安排课间休息。"
    )
    break_after_minutes = models.PositiveSmallIntegerField("连续上课满多少分钟后休息", blank=True, default=90)
    planned_days = models.PositiveSmallIntegerField(
        "计划天数", null=True, blank=True, help_text="填写后，单元排不进这些天时课程页会提示。"
    )

    content_panels = KnowledgePage.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("audience", widget=CheckboxSelectMultiple),
                FieldPanel("prerequisites"),
                FieldPanel("objectives"),
            ],
            heading="课程信息",
        ),
        MultiFieldPanel(
            [
                FieldPanel("issues", widget=CheckboxSelectMultiple),
                FieldPanel("actors", widget=CheckboxSelectMultiple),
                FieldPanel("methods", widget=CheckboxSelectMultiple),
            ],
            heading="分类",
        ),
        FieldPanel("body"),
        ModuleInlinePanel(
            "modules",
            label="单元",
            heading="课程单元（总时长由各单元分钟数相加得出）",
            help_text="可拖动排序；在“来自模块库”中选一个模块并留空单元名称，保存时会复制该模块的全部内容。",
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("day_start"), FieldPanel("day_end"), FieldPanel("planned_days")]),
                FieldRowPanel([FieldPanel("lunch_start"), FieldPanel("lunch_minutes")]),
                FieldRowPanel([FieldPanel("break_after_minutes"), FieldPanel("break_minutes")]),
            ],
            heading="课程表",
        ),
        MultiFieldPanel(
            [
                FieldPanel("principles", widget=PageMultipleChooser),
                FieldPanel("policies", widget=PageMultipleChooser),
                FieldPanel("cases", widget=PageMultipleChooser),
            ],
            heading="关联",
        ),
        *KnowledgePage.source_panels,
    ]
    api_fields = KnowledgePage.api_fields + [
        api.terms("audience"),
        APIField("prerequisites"),
        APIField("objectives"),
        APIField("total_minutes"),
        api.terms("issues"),
        api.terms("actors"),
        api.terms("methods"),
        APIField("body"),
        # Instructor notes stay out: the API is public.
        APIField("modules", serializer=CourseModules(read_only=True)),
        api.links("principles"),
        api.links("policies"),
        api.links("cases"),
    ]
    search_fields = KnowledgePage.search_fields + admin_search_fields(
        terms=[("audience", "name")],
        # Never instructor_notes: participants and the public search must not see them.
        body=[
            "objectives",
            "body",
            ("modules", "title", "questions", "objectives", "key_points", "activity"),
        ],
    )
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = []

    @classmethod
    def indexed_queryset(cls):
        return (
            super()
            .indexed_queryset()
            .prefetch_related("issues", "actors", "methods", "audience", "modules__method")
        )

    def add_search_parts(self, parts):
        for module in self.modules.all():
            # Instructor notes are for facilitators only: never indexed.
            parts.body.extend(
                [module.title, module.questions, module.objectives, module.key_points, module.activity]
            )
            if module.method:
                methods = parts.facets.setdefault("method", [])
                if module.method.name not in methods:
                    methods.append(module.method.name)
        parts.body.append(self.objectives)

    class Meta:
        verbose_name = "课程"
        verbose_name_plural = "课程"

    TIMETABLE_DEFAULTED = ("day_start", "day_end", "lunch_minutes", "break_minutes", "break_after_minutes")

    def clean(self):
        super().clean()
        for name in self.TIMETABLE_DEFAULTED:
            if getattr(self, name) is None:
                setattr(self, name, self._meta.get_field(name).get_default())
        errors = {}
        if self.day_start and self.day_end and self.day_end <= self.day_start:
            errors["day_end"] = "每天结束时间必须晚于开始时间。"
        if (
            self.lunch_start
            and self.day_start
            and self.day_end
            and not (self.day_start <= self.lunch_start < self.day_end)
        ):
            errors["lunch_start"] = "午餐时间应在每天开始和结束时间之间。"
        if errors:
            raise ValidationError(errors)

    @classmethod
    def links_to_q(cls, target):
        """A course links to a page from its own relations or from any of its modules."""
        condition = super().links_to_q(target)
        for field in link_fields(CourseModule, type(target)):
            condition |= Q(**{f"modules__{field.name}": target})
        return condition

    # ----------------------------------------------------------------- duration and timetable

    @property
    def total_minutes(self):
        return sum(module.minutes or 0 for module in self.modules.all())

    @property
    def exercise_minutes(self):
        return sum(module.exercise_minutes or 0 for module in self.modules.all())

    @property
    def duration_display(self):
        return format_minutes(self.total_minutes)

    @property
    def exercise_display(self):
        return format_minutes(self.exercise_minutes) if self.exercise_minutes else ""

    @property
    def objective_list(self):
        return text_lines(self.objectives)

    @property
    def timetable_rules(self):
        return timetable.Rules(
            day_start=timetable.parse_time(self.day_start),
            day_end=timetable.parse_time(self.day_end),
            lunch_start=timetable.parse_time(self.lunch_start),
            lunch_minutes=self.lunch_minutes or 0,
            break_minutes=self.break_minutes or 0,
            break_after=self.break_after_minutes or 0,
            planned_days=self.planned_days,
        )

    @cached_property
    def schedule(self):
        """The timetable with each slot's module attached, and warnings in Chinese; None if invalid."""
        modules = list(self.modules.all())
        try:
            rules = self.timetable_rules
        except ValueError:
            return None
        table = timetable.build_timetable([module.minutes for module in modules], rules)
        for day in table.days:
            for slot in day.slots:
                slot.module = modules[slot.index] if slot.index is not None else None
                slot.number = slot.index + 1 if slot.index is not None else None
        table.warnings = [
            self.problem_text(problem, modules[problem.index], rules) for problem in table.problems
        ]
        table.rules_text = timetable.rules_text(rules)
        return table

    @staticmethod
    def problem_text(problem, module, rules):
        if problem.kind == "too_long":
            return (
                f"第{problem.index + 1}单元“{module.title}”长{format_minutes(problem.minutes)}，"
                f"超过一天可用的{format_minutes(rules.day_minutes)}，排不进一天："
                "请拆分这个单元，或延长每天的上课时间。"
            )
        return (
            f"第{problem.index + 1}单元“{module.title}”排到了第{problem.day}天，"
            f"超出了计划的{rules.planned_days}天：请缩短单元、延长每天的上课时间或增加天数。"
        )

    # ----------------------------------------------------------------- handouts

    def handout_url(self, facilitator=False, pdf=False):
        name = ("pdf" if pdf else "handout") + ("_facilitator" if facilitator else "")
        return self.url + self.reverse_subpage(name)

    @property
    def participant_handout_url(self):
        return self.handout_url()

    @property
    def participant_pdf_url(self):
        return self.handout_url(pdf=True)

    @property
    def facilitator_handout_url(self):
        return self.handout_url(facilitator=True)

    @property
    def facilitator_pdf_url(self):
        return self.handout_url(facilitator=True, pdf=True)

    def handout_modules(self):
        """Each module with its number, its day and times in the timetable, and its linked pages the
        public may see (kb.core.visibility: one query for the whole handout)."""
        times = self.schedule.module_slots() if self.schedule else {}
        modules = list(self.modules.all())
        linked_by_module = [
            [
                page
                for relation in (module.cases, module.principles, module.policies)
                for page in relation.all()
            ]
            for module in modules
        ]
        visible = public_live_ids(page.pk for pages in linked_by_module for page in pages)
        entries = []
        for position, module in enumerate(modules):
            day, slot = times.get(position, (None, None))
            linked = [page for page in linked_by_module[position] if page.pk in visible]
            entries.append(
                {"number": position + 1, "module": module, "day": day, "slot": slot, "linked": linked}
            )
        return entries

    def can_see_notes(self, user):
        """Instructor notes are for those who may edit the course (trainers, editors)."""
        return bool(user and user.is_authenticated and self.permissions_for_user(user).can_edit())

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["can_see_notes"] = self.can_see_notes(getattr(request, "user", None))
        return context

    def handout_response(self, request, facilitator, pdf):
        if facilitator and not self.can_see_notes(request.user):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("wagtailadmin_login"))
            raise PermissionDenied("讲师版讲义只对可以编辑本课程的用户开放。")
        context = self.get_context(request)
        context.update(facilitator=facilitator, for_pdf=pdf, handout_modules=self.handout_modules())
        if pdf:
            from .pdf import PdfUnavailable, handout_pdf

            try:
                data = handout_pdf(
                    request, self, context, variant="facilitator" if facilitator else "participant"
                )
            except PdfUnavailable as problem:
                context["problem"] = str(problem)
                response = TemplateResponse(request, "courses/pdf_unavailable.html", context, status=503)
                if problem.retry_after:
                    response["Retry-After"] = str(problem.retry_after)
            else:
                response = HttpResponse(data, content_type="application/pdf")
                variant = "讲师版" if facilitator else "讲义"
                response["Content-Disposition"] = content_disposition_header(
                    as_attachment=True, filename=f"{self.title}（{variant}）.pdf"
                )
        else:
            response = TemplateResponse(request, "courses/course_handout.html", context)
        response["X-Robots-Tag"] = "noindex"
        if facilitator:
            response["Cache-Control"] = "private, no-store"
        return response

    @path("print/", name="handout")
    def handout(self, request):
        return self.handout_response(request, facilitator=False, pdf=False)

    @path("print/facilitator/", name="handout_facilitator")
    def handout_facilitator(self, request):
        return self.handout_response(request, facilitator=True, pdf=False)

    @path("pdf/", name="pdf")
    def pdf(self, request):
        return self.handout_response(request, facilitator=False, pdf=True)

    @path("pdf/facilitator/", name="pdf_facilitator")
    def pdf_facilitator(self, request):
        return self.handout_response(request, facilitator=True, pdf=True)


class CourseModule(Orderable, ModuleContent, ClusterableModel):
    """One teaching unit of a course, in the order it is taught (a copy; see the module docstring)."""

    page = ParentalKey(CoursePage, on_delete=models.CASCADE, related_name="modules")
    library_module = models.ForeignKey(
        ModuleTemplate,
        verbose_name="来自模块库",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="course_modules",
        help_text="选一个模块库中的模块并留空单元名称，保存时复制它的全部内容；之后可按本课程修改。",
    )

    panels = [
        FieldRowPanel([FieldPanel("library_module"), FieldPanel("copy_from_library")]),
        *ModuleContent.module_panels,
    ]

    class Meta(Orderable.Meta):
        verbose_name = "课程单元"
        verbose_name_plural = "课程单元"


CourseIndexPage.child_model = CoursePage
