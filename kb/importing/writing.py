"""Writing a validated run: every page first, then every publish, then what publishing sets off.

The order matters. All pages of the run are created and given their revision before any is
published, and the follow-up work of publishing (the policy lifecycle, the search index) runs once
for the whole run at the end (kb.core.publishing): a policy that supersedes another in the same run
marks it whatever order the files come in.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from kb.core import publishing
from kb.core.page_types import page_model, page_types, vocabulary_models
from kb.core.site_structure import ensure_site_structure
from kb.vocabularies.models import Region

from .problems import ImportFailed, Problem
from .rules import rules_for
from .validating import SINGLE_TERM_KEYS, TERM_LIST_KEYS, validate_files


@dataclass
class ImportResult:
    plans: list
    new_terms: list  # [(vocabulary, name)]
    new_regions: list
    published: bool
    dry_run: bool

    def counts(self):
        counts = {}
        for plan in self.plans:
            counts.setdefault(plan.type_key, {"create": 0, "update": 0})[plan.action] += 1
        return counts


class DryRunRollback(Exception):
    pass


def import_files(sources, *, publish=False, dry_run=False, create_terms=False, user=None):
    """Validate then write every file, all or nothing. Raises ImportFailed with every problem."""
    plans, new_terms, resolver = validate_files(sources, create_terms=create_terms)
    new_regions = sorted(
        {
            p.region_path
            for p in plans
            if p.region_path and not Region.objects.filter(path=p.region_path).exists()
        }
    )
    result = ImportResult(plans, new_terms, new_regions, publish, dry_run)
    try:
        with transaction.atomic():
            PageWriter(plans, resolver, publish=publish, user=user).write(new_terms)
            if dry_run:
                raise DryRunRollback
    except DryRunRollback:
        pass
    return result


class PageWriter:
    def __init__(self, plans, resolver, publish, user):
        self.plans = plans
        self.resolver = resolver
        self.publish = publish
        self.user = user
        self.pages = {}  # id(plan) → page object being written

    def write(self, new_terms):
        ensure_site_structure()
        self.parents = {t.key: t.index_model.objects.order_by("path").first() for t in page_types()}
        vocabularies = vocabulary_models()
        for vocabulary, name in new_terms:
            vocabularies[vocabulary].objects.get_or_create(name=name)
        # The whole run is one batch: Wagtail's indexes are written once per page at the end
        # (kb.core.publishing), not on each save.
        with publishing.batch():
            self.write_pages()

    def write_pages(self):
        parents = self.parents
        # First every page exists, so references between files of this run can point at them.
        for plan in self.plans:
            with self.reported(plan):
                self.pages[id(plan)] = self.prepare(plan, parents[plan.type_key])
        revisions = []
        for plan in self.plans:
            with self.reported(plan):
                revisions.append(self.fill(plan, self.pages[id(plan)]))
        if self.publish:
            # Only now, with every page of the run written, is anything published; the lifecycle
            # and the site's search index follow once for the run, when the batch ends.
            for revision in revisions:
                revision.publish(user=self.user)

    def reported(self, plan):
        return _Reported(plan)

    def prepare(self, plan, parent):
        if plan.existing is not None:
            page = plan.existing.get_latest_revision_as_object()
        else:
            # A new page belongs to whoever imports it (the admin upload passes its user).
            page = page_model(plan.type_key)(slug=plan.slug, live=False, owner=self.user)
        page.title = plan.title
        page.slug = plan.slug
        for name, value in plan.fields.items():
            setattr(page, name, value)
        vocabularies = vocabulary_models()
        for name, term in plan.single_terms.items():
            setattr(page, name, vocabularies[SINGLE_TERM_KEYS[name]].objects.get(name=term))
        if hasattr(page, "region"):
            page.region = Region.get_or_create_path(plan.region_path) if plan.region_path else None
        page.body = plan.body
        if plan.existing is None:
            parent.add_child(instance=page)
        return page

    def resolve(self, target_type, reference):
        kind, found = self.resolver.find(target_type, reference)
        return self.pages[id(found)] if kind == "plan" else found

    def resolve_all(self, references):
        return list({page.pk: page for page in (self.resolve(t, ref) for t, ref, _ in references)}.values())

    def fill(self, plan, page):
        """Relations and the type's own data, then the page's revision (returned, not yet published)."""
        rules = rules_for(plan.type_key)
        vocabularies = vocabulary_models()
        for key, names in plan.term_lists.items():
            setattr(page, key, list(vocabularies[TERM_LIST_KEYS[key]].objects.filter(name__in=names)))
        for _, model_field in rules.references.values():
            setattr(page, model_field, self.resolve_all(plan.references.get(model_field, [])))
        rules.fill(self, plan, page)
        return page.save_revision(user=self.user, log_action=True)


class _Reported:
    """Turns a model's ValidationError while writing one file into the importer's problems."""

    def __init__(self, plan):
        self.plan = plan

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if kind is not None and issubclass(kind, ValidationError):
            raise ImportFailed(validation_problems(self.plan, error)) from None
        return False


def validation_problems(plan, error):
    if hasattr(error, "message_dict"):
        return [Problem(plan.file, key, " ".join(messages)) for key, messages in error.message_dict.items()]
    return [Problem(plan.file, "", " ".join(error.messages))]
