"""The admin edit form of every knowledge page."""

from wagtail.admin.forms import WagtailAdminPageForm

from .slugs import has_non_ascii, pinyin_slug


class KnowledgePageForm(WagtailAdminPageForm):
    def clean_slug(self):
        """The admin fills the slug from the title as the editor types; a Chinese one becomes pinyin
        (an editor who types an ASCII slug keeps it)."""
        slug = self.cleaned_data.get("slug", "")
        if has_non_ascii(slug):
            slug = pinyin_slug(slug) or slug
        return slug
