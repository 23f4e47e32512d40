"""The registry of page types (案例, 政策, 原则, 课程) and of vocabularies, read from the models.

Each page type declares itself on its own classes, so adding a type or changing one touches only
its app:

- the page class (a concrete `KnowledgePage`) sets `type_key`, `type_label` and `type_order`,
  names its index page in `parent_page_types`, and may set `body_sections` (the standard section
  headings of its body) and `import_rules` (the dotted path of its import rules, see kb.importing);
- the index page class (a concrete `IndexPage`) sets `default_slug`, `default_title`,
  `default_intro` (what `ensure_site_structure` creates) and `group_permissions` (the editorial
  groups' page permissions on it, see kb.editorial.roles).

Nothing here imports a page-type app: the types are found among the installed models, so kb.core
stays below the apps that build on it.
"""

from dataclasses import dataclass
from functools import cache

from django.apps import apps


@dataclass(frozen=True)
class PageType:
    key: str  # "case", "policy", …: the value of the import format's `type` and of search's `type`
    label: str  # 案例, 政策, …
    model: type  # the page class
    index_model: type  # the listing page the pages live under

    @property
    def index_slug(self):
        return self.index_model.default_slug

    @property
    def index_title(self):
        return self.index_model.default_title

    @property
    def index_intro(self):
        return self.index_model.default_intro

    @property
    def group_permissions(self):
        """Editorial group name → page actions granted on the index page (and so on its pages)."""
        return dict(self.index_model.group_permissions)

    @property
    def body_sections(self):
        """(key, heading) of the standard sections of this type's body; empty if free-form."""
        return list(self.model.body_sections)


@cache
def _registry():
    from .models import KnowledgePage

    found = [
        model
        for model in apps.get_models()
        if issubclass(model, KnowledgePage) and model.type_key and not model._meta.abstract
    ]
    found.sort(key=lambda model: (model.type_order, model.type_key))
    types = {}
    for model in found:
        index_model = apps.get_model(model.parent_page_types[0])
        types[model.type_key] = PageType(model.type_key, model.type_label, model, index_model)
    return types


def page_types():
    """Every page type, in the order the site presents them."""
    return list(_registry().values())


def page_type(key):
    try:
        return _registry()[key]
    except KeyError:
        raise LookupError(key) from None


def type_keys():
    return list(_registry())


def type_labels():
    """Type key → label, in the site's order."""
    return {t.key: t.label for t in page_types()}


def page_model(key):
    return page_type(key).model


def index_model(key):
    return page_type(key).index_model


def type_of_model(model):
    """The PageType of a page class (or instance), or None for pages that are no knowledge page."""
    key = getattr(model, "type_key", "")
    return _registry().get(key) if key else None


def site_sections(with_counts=True):
    """Each section with its live index page (or None before content exists) and page count."""
    sections = []
    for page_type_ in page_types():
        entry = {
            "type": page_type_.key,
            "label": page_type_.label,
            "index": page_type_.index_model.objects.live().first(),
        }
        if with_counts:
            entry["count"] = page_type_.model.objects.live().public().count()
        sections.append(entry)
    return sections


# --------------------------------------------------------------------------- vocabularies


def vocabulary_models():
    """Vocabulary key ("issue", "community_type", …) → its term model."""
    from kb.vocabularies.models import VOCABULARY_MODELS

    return VOCABULARY_MODELS


def vocabulary_label(key):
    """The label of a vocabulary (议题, 社区类型, …): its model's verbose_name."""
    return str(vocabulary_models()[key]._meta.verbose_name)


def vocabulary_labels():
    return {key: vocabulary_label(key) for key in vocabulary_models()}
