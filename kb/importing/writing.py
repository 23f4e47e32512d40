"""Writing a validated run: every page first, then every publish, then what publishing sets off.

The order matters. All pages of the run are created and given their revision before any is
published, and the follow-up work of publishing (the policy lifecycle, the search index) runs once
for the whole run at the end (kb.core.publishing): a policy that supersedes another in the same run
marks it whatever order the files come in.
"""

import hashlib
import logging
from dataclasses import dataclass, field
from functools import partial

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from wagtail.actions.base import BaseAction
from wagtail.actions.publish_page_revision import PublishPageRevisionAction
from wagtail.models import Page

from kb.core import publishing
from kb.core.page_types import page_model, page_types, vocabulary_models
from kb.core.site_structure import ensure_site_structure
from kb.vocabularies.models import Region

from .models import ImportedFile
from .problems import INTERNAL_ERROR, ImportFailed, Problem
from .regions import close_regions, region_warning
from .rules import rules_for
from .tree import allocate_children
from .validating import SINGLE_TERM_KEYS, TERM_LIST_KEYS, validate_files
from .vocabulary_file import read_vocabulary_files

logger = logging.getLogger(__name__)


@dataclass
class ImportResult:
    plans: list
    new_terms: list  # [(vocabulary, name)]
    new_regions: list
    published: bool
    dry_run: bool
    unchanged: list = field(default_factory=list)  # plans of files unchanged since their last import
    region_warnings: list = field(default_factory=list)  # new regions that look like a typo

    def counts(self):
        """Per type, the pages created and updated (an unchanged file counts as neither)."""
        counts = {}
        skipped = {id(plan) for plan in self.unchanged}
        for plan in self.plans:
            row = counts.setdefault(plan.type_key, {"create": 0, "update": 0})
            if id(plan) not in skipped:
                row[plan.action] += 1
        return counts


class DryRunRollback(Exception):
    pass


def import_files(sources, *, publish=False, dry_run=False, create_terms=False, user=None, progress=None):
    """Validate then write every file, all or nothing. Raises ImportFailed with every problem.

    `progress(done, total)`, when given, is called as pages are written and published.
    """
    vocabulary = read_vocabulary_files([source for source in sources if source.kind == "vocabulary"])
    sources = [source for source in sources if source.kind != "vocabulary"]
    plans, new_terms, resolver = validate_files(
        sources, create_terms=create_terms, extra_terms=vocabulary.names()
    )
    new_terms = sorted(set(new_terms) | set(vocabulary.new_terms()))
    paths = {p.region_path for p in plans if p.region_path} | set(vocabulary.regions)
    known = set(Region.objects.filter(path__in=paths).values_list("path", flat=True)) if paths else set()
    new_regions = sorted(paths - known)
    digests = {source.name: file_digest(source) for source in sources}
    unchanged = unchanged_plans(plans, digests, publish)
    result = ImportResult(plans, new_terms, new_regions, publish, dry_run, unchanged)
    result.region_warnings = [
        region_warning(path, known) for path, known in close_regions(new_regions).items()
    ]
    try:
        with transaction.atomic():
            writer = PageWriter(plans, resolver, publish=publish, user=user)
            writer.digests, writer.unchanged, writer.progress = digests, unchanged, progress
            writer.vocabulary = vocabulary
            writer.write(new_terms)
            if dry_run:
                raise DryRunRollback
    except DryRunRollback:
        pass
    return result


def file_digest(source):
    data = source.text if isinstance(source.text, bytes) else source.text.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def unchanged_plans(plans, digests, publish):
    """Plans whose file is byte for byte the one their page's latest revision was imported from.

    With --publish the page must also be live with nothing unpublished, or the run still publishes it.
    """
    existing = {plan.existing.pk: plan for plan in plans if plan.existing is not None}
    records = ImportedFile.objects.filter(page_id__in=list(existing)).values_list(
        "page_id", "sha256", "revision_id"
    )
    unchanged = []
    for page_id, sha256, revision_id in records.iterator():
        plan = existing[page_id]
        page = plan.existing
        if sha256 != digests.get(plan.file) or revision_id != page.latest_revision_id:
            continue
        if publish and not plan.draft and not (page.live and not page.has_unpublished_changes):
            continue
        unchanged.append(plan)
    return unchanged


class PageWriter:
    def __init__(self, plans, resolver, publish, user):
        self.plans = plans
        self.resolver = resolver
        self.publish = publish
        self.user = user
        self.pages = {}  # id(plan) → page object being written
        self.digests = {}  # file name → SHA-256 of its bytes
        self.unchanged = []  # plans not written again: their file did not change
        self.progress = None
        self.vocabulary = None  # the run's vocabularies.yaml (kb.importing.vocabulary_file)

    def write(self, new_terms):
        ensure_site_structure()
        if self.vocabulary is not None:
            self.vocabulary.apply()
        self.parents = {t.key: t.index_model.objects.order_by("path").first() for t in page_types()}
        vocabularies = vocabulary_models()
        for vocabulary, name in new_terms:
            vocabularies[vocabulary].objects.get_or_create(name=name)
        # The whole run is one batch: Wagtail's indexes are written once per page at the end
        # (kb.core.publishing), not on each save.
        with publishing.batch():
            self.write_pages()

    def write_pages(self):
        skipped = {id(plan) for plan in self.unchanged}
        for plan in self.unchanged:
            self.pages[id(plan)] = plan.existing  # still a target for references from this run
        plans = [plan for plan in self.plans if id(plan) not in skipped]
        steps = len(plans) * (3 if self.publish else 2)
        done = 0
        # First every page exists, so references between files of this run can point at them.
        for plan in plans:
            with self.reported(plan):
                self.pages[id(plan)] = self.prepare(plan)
        self.create_new_pages([plan for plan in plans if plan.existing is None])
        done = self.report_progress(done + len(plans), steps)
        written = []
        for plan in plans:
            with self.reported(plan):
                written.append((self.pages[id(plan)], self.fill(plan, self.pages[id(plan)])))
            done = self.report_progress(done + 1, steps)
        ImportedFile.objects.filter(page_id__in=[page.pk for page, _ in written]).delete()
        ImportedFile.objects.bulk_create(
            ImportedFile(page_id=page.pk, sha256=self.digests[plan.file], revision_id=revision.pk)
            for plan, (page, revision) in zip(plans, written, strict=True)
        )
        if self.publish:
            # Only now, with every page of the run written, is anything published; the lifecycle
            # and the site's search index follow once for the run, when the batch ends.
            # A file marked `status: draft` stays a draft.
            for plan, (page, revision) in zip(plans, written, strict=True):
                if not plan.draft:
                    publish_written(page, revision, self.user)
                done = self.report_progress(done + 1, steps)

    def report_progress(self, done, total):
        if self.progress is not None:
            self.progress(done, total)
        return done

    def create_new_pages(self, plans):
        """Save the run's new pages, each parent's new children placed at once (kb.importing.tree)."""
        by_type = {}
        for plan in plans:
            by_type.setdefault(plan.type_key, []).append(plan)
        for type_key, group in by_type.items():
            parent = self.parents[type_key]
            taken = set(
                Page.objects.child_of(parent)
                .filter(slug__in=[plan.slug for plan in group])
                .values_list("slug", flat=True)
            )
            for plan in group:
                if plan.slug in taken:  # a page of another type under the same parent
                    raise ImportFailed(
                        [Problem(plan.file, "slug", f"slug“{plan.slug}”已被{parent.title}下的另一页面使用。")]
                    )
            pages = [self.pages[id(plan)] for plan in group]
            allocate_children(parent, pages)
            for plan, page in zip(group, pages, strict=True):
                with self.reported(plan):
                    # Title and slug were validated with the file; the full check comes with the revision.
                    page.save(clean=False)

    def reported(self, plan):
        return _Reported(plan)

    def prepare(self, plan):
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


class _PublishWritten(PublishPageRevisionAction):
    """Wagtail's publish of a revision, on the page object the revision was just saved from.

    Wagtail's own action rebuilds the page from the revision's JSON and validates it again; here the
    page in memory is that revision's content, validated by `save_revision` a moment before.
    """

    def __init__(self, revision, page, user=None):
        from wagtail.permissions import policy_registry

        self.revision = revision
        self.object = page
        BaseAction.__init__(self, page, user=user)
        self.permission_policy = policy_registry.get(page)
        self.changed = True
        self.log_action = True
        self.previous_revision = None


def publish_written(page, revision, user):
    # The save inside the publish skips the model validation save_revision has just run.
    page.save = partial(type(page).save, page, clean=False)
    try:
        _PublishWritten(revision, page, user=user).execute()
    finally:
        del page.save


class _Reported:
    """Turns a model's ValidationError while writing one file into the importer's problems."""

    def __init__(self, plan):
        self.plan = plan

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if kind is None or issubclass(kind, ImportFailed):
            return False
        if issubclass(kind, ValidationError):
            raise ImportFailed(validation_problems(self.plan, error)) from None
        if issubclass(kind, Exception) and not issubclass(kind, DatabaseError):
            # Rolled back with the run's transaction; the operator gets the traceback, the user a
            # clear error for the file. Database errors (read-only, full disk) are reported by
            # the command as such.
            logger.exception("Writing %s failed unexpectedly", self.plan.file)
            raise ImportFailed([Problem(self.plan.file, "", INTERNAL_ERROR)]) from None
        return False


def validation_problems(plan, error):
    if hasattr(error, "message_dict"):
        return [Problem(plan.file, key, " ".join(messages)) for key, messages in error.message_dict.items()]
    return [Problem(plan.file, "", " ".join(error.messages))]
