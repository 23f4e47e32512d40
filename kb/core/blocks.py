"""StreamField blocks shared by every page type (one module, as bakerydemo keeps them)."""

from django.utils.safestring import mark_safe
from wagtail import blocks
from wagtail.images.blocks import ImageBlock

from .markdown import sanitise_html

RICH_TEXT_FEATURES = [
    "h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link",
    "blockquote", "hr", "superscript", "subscript", "code",
]  # fmt: skip

# The standard sections of a case, in reading order: the same headings in every case let a
# reader compare how different communities handled the same step.
CASE_SECTIONS = [
    ("background", "背景与问题"),
    ("actors", "参与主体"),
    ("process", "过程与方法"),
    ("deliberation", "协商与决策"),
    ("outcomes", "成效与证据"),
    ("lessons", "经验与反思"),
    ("references", "参考资料"),
]
OTHER_SECTION = "other"
CASE_SECTION_BY_HEADING = {label: key for key, label in CASE_SECTIONS}
CASE_SECTION_LABELS = dict(CASE_SECTIONS)


class SanitisedRichTextBlock(blocks.RichTextBlock):
    """Rich text rendered through the importer's sanitiser.

    The editor only stores its own tags, but HTML can reach the database another way (a crafted
    POST, a script, an old import): on the page it is reduced to the editor's tags all the same.
    """

    def render_basic(self, value, context=None):
        return mark_safe(sanitise_html(str(value)))


class SectionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label="小标题", required=False, max_length=100)
    content = SanitisedRichTextBlock(label="内容", features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "doc-full"
        label = "段落"
        template = "blocks/section.html"


class CaseSectionBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        label="栏目",
        choices=CASE_SECTIONS + [(OTHER_SECTION, "其他（使用下方小标题）")],
        default="background",
    )
    heading = blocks.CharBlock(
        label="小标题", required=False, max_length=100, help_text="仅当栏目为“其他”时显示。"
    )
    content = SanitisedRichTextBlock(label="内容", features=RICH_TEXT_FEATURES)

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        kind = value.get("kind")
        context["heading"] = (
            value.get("heading") if kind == OTHER_SECTION else CASE_SECTION_LABELS.get(kind, "")
        )
        return context

    class Meta:
        icon = "doc-full"
        label = "案例栏目"
        template = "blocks/case_section.html"


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageBlock(label="图片")
    caption = blocks.CharBlock(label="图注与来源", required=False, max_length=200)

    class Meta:
        icon = "image"
        label = "图片"
        template = "blocks/captioned_image.html"


class BodyBlock(blocks.StreamBlock):
    section = SectionBlock()
    image = CaptionedImageBlock()


class CaseBodyBlock(blocks.StreamBlock):
    section = CaseSectionBlock()
    image = CaptionedImageBlock()
