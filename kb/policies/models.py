"""Policy documents with their official metadata and their relations to one another."""

from django.db import models
from django.db.models import Q
from django.forms import CheckboxSelectMultiple
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.models import Orderable
from wagtail.search import index

from kb.core import api_fields as api
from kb.core.blocks import BodyBlock
from kb.core.fields import UNDATED, PartialDateField, ReaderDate, format_partial_date
from kb.core.models import IndexPage, KnowledgePage
from kb.core.visibility import public_live
from kb.core.widgets import PageMultipleChooser
from search.schema import admin_search_fields

from . import lifecycle
from .api_fields import Attachments, IssuerNames
from .panels import ValidityHistoryPanel


class PolicyIndexPage(IndexPage):
    subpage_types = ["policies.PolicyPage"]
    parent_page_types = ["core.HomePage"]
    max_count = 1
    default_slug = "policies"
    default_title = "政策库"
    default_intro = "与社区治理相关的政策文件，附发文机关、发文字号、层级、日期与时效性，以及文件之间的修订、废止和依据关系。"
    group_permissions = {"编辑": ("add", "change", "lock")}
    listing_facets = ("level", "validity", "issuer", "region", "issue", "actor", "method")

    class Meta:
        verbose_name = "政策库首页"

    def get_children_queryset(self):
        return (
            super()
            .get_children_queryset()
            .select_related("level", "validity", "region")
            .prefetch_related("issuers")
            .order_by("-issued_on", "title")
        )


class PolicyPage(KnowledgePage):
    type_key = "policy"
    type_label = "政策"
    type_order = 2
    import_rules = "kb.policies.importing.PolicyRules"
    linked_headings = (
        ("case", "相关案例"),
        ("principle", "相关原则"),
        ("policy", "相关政策"),
        ("course", "使用本文件的课程"),
    )
    lifecycle_link_fields = ("supersedes", "amends", "based_on")

    doc_number = models.CharField("发文字号", max_length=100, blank=True)
    level = models.ForeignKey(
        "vocabularies.PolicyLevel", verbose_name="层级", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="policies",
    )  # fmt: skip
    region = models.ForeignKey(
        "vocabularies.Region", verbose_name="地区", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="policies",
    )  # fmt: skip
    issued_on = PartialDateField("发布日期")
    effective_on = PartialDateField("施行日期")
    validity = models.ForeignKey(
        "vocabularies.Validity", verbose_name="时效性", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="policies",
    )  # fmt: skip
    issues = ParentalManyToManyField(
        "vocabularies.Issue", verbose_name="议题", blank=True, related_name="policies"
    )
    actors = ParentalManyToManyField(
        "vocabularies.Actor", verbose_name="治理主体", blank=True, related_name="policies"
    )
    methods = ParentalManyToManyField(
        "vocabularies.Method", verbose_name="方法与机制", blank=True, related_name="policies"
    )
    body = StreamField(BodyBlock(), verbose_name="全文或要点", blank=True)
    supersedes = ParentalManyToManyField(
        "self", verbose_name="废止/取代", blank=True, symmetrical=False, related_name="superseded_by"
    )
    amends = ParentalManyToManyField(
        "self", verbose_name="修订", blank=True, symmetrical=False, related_name="amended_by"
    )
    based_on = ParentalManyToManyField(
        "self", verbose_name="依据", blank=True, symmetrical=False, related_name="basis_for"
    )
    related_policies = ParentalManyToManyField(
        "self", verbose_name="相关政策", blank=True, symmetrical=False, related_name="cited_by_policies"
    )
    principles = ParentalManyToManyField(
        "principles.PrinciplePage", verbose_name="相关原则", blank=True, related_name="cited_by_policies"
    )
    cases = ParentalManyToManyField(
        "cases.CasePage", verbose_name="相关案例", blank=True, related_name="cited_by_policies"
    )

    content_panels = KnowledgePage.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                InlinePanel("issuers", label="发文机关", min_num=0),
                FieldPanel("doc_number"),
                FieldRowPanel([FieldPanel("level"), FieldPanel("region")]),
                FieldRowPanel([FieldPanel("issued_on"), FieldPanel("effective_on")]),
                FieldPanel("validity"),
                ValidityHistoryPanel(),
            ],
            heading="文件信息",
        ),
        MultiFieldPanel(
            [
                FieldPanel("issues", widget=CheckboxSelectMultiple),
                FieldPanel("actors", widget=CheckboxSelectMultiple),
                FieldPanel("methods", widget=CheckboxSelectMultiple),
            ],
            heading="主题",
        ),
        FieldPanel("body"),
        InlinePanel("attachments", label="附件"),
        MultiFieldPanel(
            [
                FieldPanel("supersedes", widget=PageMultipleChooser),
                FieldPanel("amends", widget=PageMultipleChooser),
                FieldPanel("based_on", widget=PageMultipleChooser),
            ],
            heading="与其他政策的关系",
        ),
        MultiFieldPanel(
            [
                FieldPanel("principles", widget=PageMultipleChooser),
                FieldPanel("cases", widget=PageMultipleChooser),
                FieldPanel("related_policies", widget=PageMultipleChooser),
            ],
            heading="关联",
        ),
        *KnowledgePage.source_panels,
    ]
    api_fields = KnowledgePage.api_fields + [
        APIField("issuers", serializer=IssuerNames(read_only=True)),
        APIField("doc_number"),
        api.term("level"),
        api.region(),
        APIField("issued_on"),
        APIField("effective_on"),
        APIField("validity_today"),  # as of today: 尚未生效 before the effective date
        api.terms("issues"),
        api.terms("actors"),
        api.terms("methods"),
        APIField("body"),
        api.links("supersedes"),
        api.links("amends"),
        api.links("based_on"),
        api.links("related_policies"),
        api.links("principles"),
        api.links("cases"),
        APIField("attachments", serializer=Attachments(read_only=True)),
    ]
    search_fields = [
        *KnowledgePage.search_fields,
        *admin_search_fields(terms=["doc_number", ("issuers", "name"), ("issues", "name")], body=["body"]),
        index.FilterField("issued_on"),
    ]
    parent_page_types = ["policies.PolicyIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "政策"
        verbose_name_plural = "政策"

    @property
    def issued_on_display(self):
        return format_partial_date(self.issued_on)

    @property
    def effective_on_display(self):
        return format_partial_date(self.effective_on)

    @property
    def issuer_names(self):
        return [issuer.name for issuer in self.issuers.all()]

    @classmethod
    def indexed_queryset(cls):
        return (
            super()
            .indexed_queryset()
            .select_related("region", "level", "validity")
            .prefetch_related("issues", "actors", "methods", "issuers")
        )

    def add_search_parts(self, parts):
        if validity := self.validity_on():
            # As of today (尚未生效 before the effective date); update_policy_validity keeps it current.
            parts.facets["validity"] = [validity]
        parts.facets["issuer"] = self.issuer_names
        parts.terms.extend([*self.issuer_names, self.doc_number])
        parts.date, parts.date_label = self.reader_date
        if parts.date:
            parts.facets["year"] = [parts.date[:4]]

    @property
    def reader_date(self):
        """A policy is dated by its 发布日期, else (issue date unknown) its 施行日期; neither known:
        no date (never invented)."""
        if self.issued_on:
            return ReaderDate(self.issued_on, f"发布日期：{self.issued_on_display}")
        if self.effective_on:
            return ReaderDate(self.effective_on, f"施行日期：{self.effective_on_display}")
        return UNDATED

    def _live(self, related_name):
        if not self.pk:  # an unsaved page (the preview of a new policy) has no reverse relations
            return PolicyPage.objects.none()
        return public_live(getattr(self, related_name).all()).order_by("-issued_on", "title")

    @property
    def live_superseded_by(self):
        return self._live("superseded_by")

    @property
    def live_amended_by(self):
        return self._live("amended_by")

    @property
    def live_basis_for(self):
        return self._live("basis_for")

    # ---- lifecycle: what the page shows on a given day (see lifecycle.py)

    def validity_on(self, on=None):
        """The validity to show on `on` (today by default): 尚未生效 before the effective date."""
        return lifecycle.validity_name_on(self, on)

    @property
    def validity_today(self):
        return self.validity_on()

    def has_taken_effect(self, on=None):
        return lifecycle.has_taken_effect(self, on)

    def lifecycle_on(self, on=None):
        """What the page says about its own validity and the documents replacing it, on a day."""
        on = on or lifecycle.today()
        superseded_by = list(self.live_superseded_by)
        amended_by = list(self.live_amended_by)
        replaced_by = [p for p in superseded_by if p.has_taken_effect(on)]
        revised_by = [p for p in amended_by if p.has_taken_effect(on)]
        status = self.validity_on(on)
        if not status and replaced_by:
            status = lifecycle.REPEALED  # no stored validity: the relation is all we know
        elif not status and revised_by:
            status = lifecycle.REVISED
        upcoming = [(p, "废止/取代") for p in superseded_by if not p.has_taken_effect(on)]
        upcoming += [(p, "修订") for p in amended_by if not p.has_taken_effect(on)]
        return {
            "today": on,
            "status": status,
            "outdated": status in lifecycle.OUTDATED,
            "not_yet_in_force": status == lifecycle.NOT_YET_IN_FORCE,
            "replaced_by": replaced_by,
            "revised_by": revised_by,
            "upcoming": [
                {"page": p, "relation": relation, "from": p.effective_on_display} for p, relation in upcoming
            ],
            "chain": self.version_chain(on),
        }

    def version_chain(self, on=None, limit=50):
        """The live versions linked to this one by supersedes/amends, either way and transitively.

        Ordered by date (issued, else effective), the current page marked; empty when alone.
        """
        if not self.pk:
            return []
        throughs = (PolicyPage.supersedes.through, PolicyPage.amends.through)
        seen = frontier = {self.pk}
        while frontier and len(seen) < limit:
            found = set()
            for through in throughs:
                pairs = through.objects.filter(
                    Q(from_policypage_id__in=frontier) | Q(to_policypage_id__in=frontier)
                ).values_list("from_policypage_id", "to_policypage_id")
                for pair in pairs:
                    found.update(pair)
            frontier = set(
                public_live(PolicyPage.objects.filter(pk__in=found - seen)).values_list("pk", flat=True)
            )
            seen = seen | frontier
        if len(seen) == 1:
            return []
        others = public_live(PolicyPage.objects.filter(pk__in=seen - {self.pk})).select_related("validity")
        versions = [*others, self]
        versions.sort(key=lambda p: (p.issued_on or p.effective_on or "~", p.title))
        return [
            {"page": p, "current": p.pk == self.pk, "status": p.validity_on(on), "date": p.date_display}
            for p in versions
        ]

    @property
    def date_display(self):
        if self.issued_on:
            return f"{self.issued_on_display}发布"
        if self.effective_on:
            return f"{self.effective_on_display}施行"
        return ""

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["lifecycle"] = self.lifecycle_on()
        return context


class PolicyIssuer(Orderable):
    """An issuing body (发文机关); a joint document has several, in the order the document lists."""

    page = ParentalKey(PolicyPage, on_delete=models.CASCADE, related_name="issuers")
    name = models.CharField("机关名称", max_length=100)

    panels = [FieldPanel("name")]

    class Meta(Orderable.Meta):
        verbose_name = "发文机关"

    def __str__(self):
        return self.name


class PolicyAttachment(Orderable):
    page = ParentalKey(PolicyPage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        "wagtaildocs.Document", verbose_name="文件", on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField("显示名称", max_length=255, blank=True, help_text="留空则使用文件标题。")

    panels = [FieldPanel("document"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        verbose_name = "附件"

    @property
    def display_title(self):
        return self.title or self.document.title


PolicyIndexPage.child_model = PolicyPage
