"""The case body: the standard sections every case is written in, so cases compare section by section."""

from django.utils.html import strip_tags
from wagtail import blocks

from kb.core.blocks import RICH_TEXT_FEATURES, CaptionedImageBlock, FixedChoiceBlock, SanitisedRichTextBlock

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


class CaseSectionBlock(blocks.StructBlock):
    kind = FixedChoiceBlock(
        label="栏目",
        choices=CASE_SECTIONS + [(OTHER_SECTION, "其他（使用下方小标题）")],
        default="background",
    )
    heading = blocks.CharBlock(
        label="小标题", required=False, max_length=100, help_text="仅当栏目为“其他”时显示。"
    )
    # Not required: a new case starts with every standard section, and one left empty is not shown.
    content = SanitisedRichTextBlock(label="内容", features=RICH_TEXT_FEATURES, required=False)

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        content = value.get("content")
        context["empty"] = not strip_tags(getattr(content, "source", None) or str(content or "")).strip()
        kind = value.get("kind")
        context["heading"] = (
            value.get("heading") if kind == OTHER_SECTION else CASE_SECTION_LABELS.get(kind, "")
        )
        return context

    class Meta:
        icon = "doc-full"
        label = "案例栏目"
        template = "blocks/case_section.html"


class CaseBodyBlock(blocks.StreamBlock):
    section = CaseSectionBlock()
    image = CaptionedImageBlock()
