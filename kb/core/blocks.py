"""StreamField blocks shared by every page type; a type's own blocks live in its app (kb/cases/blocks.py)."""

from django.utils.encoding import force_str
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from wagtail import blocks
from wagtail.images.blocks import ImageBlock

from .markdown import sanitise_html

RICH_TEXT_FEATURES = [
    "h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link",
    "blockquote", "hr", "superscript", "subscript", "code",
]  # fmt: skip


class SanitisedRichTextBlock(blocks.RichTextBlock):
    """Rich text rendered through the importer's sanitiser.

    The editor only stores its own tags, but HTML can reach the database another way (a crafted
    POST, a script, an old import): on the page it is reduced to the editor's tags all the same.
    """

    def render_basic(self, value, context=None):
        return mark_safe(sanitise_html(str(value)))

    def get_searchable_content(self, value):
        # Wagtail's SQLite admin index reads every search field of a page three times (its title,
        # body and autocomplete passes); the text of one value is worked out once per source.
        source = getattr(value, "source", None)
        cached = getattr(value, "_searchable_content", None)
        if cached is None or cached[0] != source:
            cached = (source, super().get_searchable_content(value))
            if source is not None:
                value._searchable_content = cached
        return cached[1]


class FixedChoiceBlock(blocks.ChoiceBlock):
    """A ChoiceBlock over a fixed list of choices, looked up in a dict made once.

    Wagtail's ChoiceBlock walks Django's choices, normalised afresh on every pass, each time a
    value is read, cleaned or indexed: several times per section of every page an import writes.
    Same answers, first match first, as ChoiceBlock's own loops.
    """

    @cached_property
    def _lookup(self):
        keys, labels = {}, {}
        for key, label in self.field.choices:
            if isinstance(label, (list, tuple)):  # an optgroup
                for subkey, sublabel in label:
                    keys.setdefault(force_str(subkey), subkey)
                    labels.setdefault(force_str(subkey), [force_str(key), force_str(sublabel)])
            else:
                keys.setdefault(force_str(key), key)
                labels.setdefault(force_str(key), [force_str(label)])
        return keys, labels

    def normalize_choice(self, value):
        if value is None:
            return None
        return self._lookup[0].get(force_str(value), value)

    def get_searchable_content(self, value):
        if not self.search_index:
            return []
        return list(self._lookup[1].get(force_str(value), []))


class SectionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label="小标题", required=False, max_length=100)
    content = SanitisedRichTextBlock(label="内容", features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "doc-full"
        label = "段落"
        template = "blocks/section.html"


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
