"""Policy documents with their official metadata and their relations to one another."""

from django.db import models
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable
from wagtail.search import index

from kb.core.blocks import BodyBlock
from kb.core.fields import PartialDateField, format_partial_date
from kb.core.models import IndexPage, KnowledgePage


class PolicyIndexPage(IndexPage):
    subpage_types = ["policies.PolicyPage"]
    parent_page_types = ["core.HomePage"]
    max_count = 1

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
            ],
            heading="文件信息",
        ),
        MultiFieldPanel(
            [FieldPanel("issues"), FieldPanel("actors"), FieldPanel("methods")],
            heading="主题",
        ),
        FieldPanel("body"),
        InlinePanel("attachments", label="附件"),
        MultiFieldPanel(
            [FieldPanel("supersedes"), FieldPanel("amends"), FieldPanel("based_on")],
            heading="与其他政策的关系",
        ),
        MultiFieldPanel(
            [FieldPanel("principles"), FieldPanel("cases"), FieldPanel("related_policies")],
            heading="关联",
        ),
        *KnowledgePage.source_panels,
    ]
    search_fields = KnowledgePage.search_fields + [
        index.SearchField("doc_number", boost=2),
        index.SearchField("body"),
        index.RelatedFields("issuers", [index.SearchField("name")]),
        index.RelatedFields("issues", [index.SearchField("name")]),
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

    def _live(self, manager):
        return manager.live().public().order_by("-issued_on", "title")

    @property
    def live_superseded_by(self):
        return self._live(self.superseded_by)

    @property
    def live_amended_by(self):
        return self._live(self.amended_by)

    @property
    def live_basis_for(self):
        return self._live(self.basis_for)


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
