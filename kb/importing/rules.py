"""What a page type adds to the import format: its keys, how they are checked and written.

Each type's rules live in its own app (kb/cases/importing.py, kb/policies/importing.py, …) as a
subclass of `TypeRules`; the page class names it in `import_rules`, so the importer finds the rules
through the page-type registry and knows no type itself.
"""

from functools import cache

from django.utils.module_loading import import_string
from modelcluster.fields import ParentalManyToManyField

from kb.core.page_types import page_type

# The "see also" references every type accepts: front-matter key → type referred to. Each type
# maps them to its own model fields in `references`.
LINK_KEYS = {"principles": "principle", "policies": "policy", "cases": "case"}


class TypeRules:
    """The import rules of one page type. Subclasses set the keys and override the hooks they need."""

    # Front-matter keys of this type beyond the common ones (type, title, slug, summary, source).
    # Vocabulary keys (issues, level, …) and `region` are checked by the generic validator when
    # listed here.
    keys = frozenset()
    # Front-matter reference key → (type referred to, model field).
    references = {}

    def validate(self, validator, plan):
        """Check this type's own keys (with `validator`'s helpers) and put them into `plan`."""

    def body_section(self, heading, html):
        """The StreamField value of one section of the body."""
        return {"heading": heading, "content": html}

    def more_references(self, plan):
        """References other than `references` (e.g. a course's modules): [(type, reference, where)]."""
        return []

    def check_run(self, plans):
        """Problems across this type's files of one run (`plans`): [Problem]."""
        return []

    def check_references(self, plans, resolver):
        """Problems in how this type's files of one run refer to pages (`resolver` finds them), once
        every reference is known to resolve: [Problem]."""
        return []

    def fill(self, writer, plan, page):
        """Set on `page` what `validate` kept in `plan.extra`, before the page's revision is saved."""

    # Export (kb.importing.exporting): the same keys written back out, so a file read by the
    # importer and written again by the exporter comes out the same.

    def export(self, exporter, page):
        """This type's own front-matter keys of `page`, in the order a person would write them."""
        return {}

    def export_section(self, value):
        """(heading, rich text) of one section of the body: the inverse of `body_section`."""
        return value.get("heading") or "", value.get("content") or ""

    def export_queryset(self, queryset):
        """The pages to export, with what `export` reads fetched in a few queries per batch."""
        model = queryset.model
        fields = model._meta.get_fields()
        many = [f.name for f in fields if isinstance(f, ParentalManyToManyField)]
        single = [
            f.name
            for f in model._meta.concrete_fields
            if f.many_to_one and f.name in self.keys and f.name not in ("owner",)
        ]
        return queryset.select_related(*single).prefetch_related(*many)

    def export_losses(self, page):
        """What of `page` the import format cannot carry (shown to the operator), e.g. attachments."""
        return []


@cache
def rules_for(type_key):
    """The rules of a page type (a LookupError for an unknown type)."""
    return import_string(page_type(type_key).model.import_rules)()
