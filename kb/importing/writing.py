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

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from wagtail.actions.base import BaseAction
from wagtail.actions.publish_page_revision import PublishPagePermissionError, PublishPageRevisionAction
from wagtail.models import Page

from kb.core import publishing, workers
from kb.core.page_types import page_model, page_types, vocabulary_models
from kb.core.site_structure import ensure_site_structure
from kb.vocabularies.models import Region

from .bulk import NewPages, supports_bulk
from .models import ImportedFile
from .problems import INTERNAL_ERROR, ImportFailed, Problem
from .regions import close_regions, region_warning
from .resolving import LOOKUP_CHUNK
from .rules import rules_for
from .tree import allocate_children
from .validating import SINGLE_TERM_KEYS, TERM_LIST_KEYS, render_deferred_bodies, validate_files
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
    digests = {source.name: file_digest(source) for source in sources}
    # Files imported byte for byte before are most likely unchanged: their bodies are rendered only
    # if they turn out to be written after all.
    seen = imported_digests(digests.values())
    deferred = {name for name, digest in digests.items() if digest in seen}
    # A large run renders its Markdown and analyses its search text on worker processes (started
    # now, set up while the files are validated); the search index flush finds them at the end.
    processes = workers.spare_cores() if len(digests) - len(deferred) >= settings.IMPORT_WORKERS_FROM else 0
    with workers.pool(processes) as pool:
        plans, new_terms, resolver = validate_files(
            sources,
            create_terms=create_terms,
            defer_bodies=set(digests) if pool else deferred,
            extra_terms=vocabulary.names(),
        )
        new_terms = sorted(set(new_terms) | set(vocabulary.new_terms()))
        paths = {p.region_path for p in plans if p.region_path} | set(vocabulary.regions)
        known = set(Region.objects.filter(path__in=paths).values_list("path", flat=True)) if paths else set()
        new_regions = sorted(paths - known)
        unchanged = unchanged_plans(plans, digests, publish)
        skipped = {id(plan) for plan in unchanged}
        render_deferred_bodies([plan for plan in plans if id(plan) not in skipped], pool)
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


def imported_digests(digests):
    """The SHA-256 digests among `digests` that some page's last import was made from."""
    digests, found = sorted(set(digests)), set()
    for start in range(0, len(digests), LOOKUP_CHUNK):
        chunk = digests[start : start + LOOKUP_CHUNK]
        found.update(ImportedFile.objects.filter(sha256__in=chunk).values_list("sha256", flat=True))
    return found


def unchanged_plans(plans, digests, publish):
    """Plans whose file is byte for byte the one their page's latest revision was imported from.

    With --publish the page must also be live with nothing unpublished, or the run still publishes it.
    """
    existing = {plan.existing.pk: plan for plan in plans if plan.existing is not None}
    page_ids, records = list(existing), []
    for start in range(0, len(page_ids), LOOKUP_CHUNK):
        records += ImportedFile.objects.filter(
            page_id__in=page_ids[start : start + LOOKUP_CHUNK]
        ).values_list("page_id", "sha256", "revision_id")
    unchanged = []
    for page_id, sha256, revision_id in records:
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
        self.load_lookups(plans)
        self.steps, self.done = len(plans) * (3 if self.publish else 2), 0
        # A `status: draft` file in a publishing run (rare: a restored export) takes the page-by-page
        # path, where publishing is decided per page.
        new_in_bulk = [
            plan
            for plan in plans
            if plan.existing is None
            and supports_bulk(page_model(plan.type_key))
            and not (self.publish and plan.draft)
        ]
        in_bulk = {id(plan) for plan in new_in_bulk}
        one_by_one = [plan for plan in plans if id(plan) not in in_bulk]
        # First every page exists, so references between files of this run can point at them.
        bulk = NewPages(self)
        bulk_pages = bulk.insert(new_in_bulk)
        for plan, page in zip(new_in_bulk, bulk_pages, strict=True):
            self.pages[id(plan)] = page
        for plan in one_by_one:
            with self.reported(plan):
                self.pages[id(plan)] = self.prepare(plan)
        self.create_new_pages([plan for plan in one_by_one if plan.existing is None])
        self.advance(len(plans))
        # New pages of the bulk types get relations, revision and (with --publish) their publish
        # in bulk; updated pages, and new pages of other types, one by one as before.
        bulk.finish(new_in_bulk, bulk_pages)
        written = {id(plan): (page_id, revision_id) for plan, page_id, revision_id in bulk.written}
        revised = {}  # id(plan) → (page, revision) of the pages written one by one
        for plan in one_by_one:
            page = self.pages[id(plan)]
            with self.reported(plan):
                self.fill_relations(plan, page)
                revised[id(plan)] = (page, page.save_revision(user=self.user, log_action=True))
                written[id(plan)] = (page.pk, revised[id(plan)][1].pk)
            self.advance(1)
        written_plans = [plan for plan in plans if id(plan) in written]
        written_ids = [written[id(plan)][0] for plan in written_plans]
        for start in range(0, len(written_ids), LOOKUP_CHUNK):
            ImportedFile.objects.filter(page_id__in=written_ids[start : start + LOOKUP_CHUNK]).delete()
        ImportedFile.objects.bulk_create(
            ImportedFile(
                page_id=written[id(plan)][0],
                sha256=self.digests[plan.file],
                revision_id=written[id(plan)][1],
            )
            for plan in written_plans
        )
        if self.publish:
            # Only now, with every page of the run written, is anything else published; the lifecycle
            # and the site's search index follow once for the run, when the batch ends.
            for plan in one_by_one:
                if not plan.draft:  # a file marked `status: draft` stays a draft
                    publish_written(*revised[id(plan)], self.user)
                self.advance(1)

    def advance(self, steps):
        self.done += steps
        if self.progress is not None:
            self.progress(self.done, self.steps)

    def load_lookups(self, plans):
        """The vocabulary terms and regions the run's files name, each read once for the run."""
        vocabularies = vocabulary_models()
        wanted = {}
        for plan in plans:
            for key, names in plan.term_lists.items():
                wanted.setdefault(TERM_LIST_KEYS[key], set()).update(names)
            for key, name in plan.single_terms.items():
                wanted.setdefault(SINGLE_TERM_KEYS[key], set()).add(name)
        self.terms = {}  # vocabulary → {name: term}, in the vocabulary's own order
        for vocabulary, names in wanted.items():
            model = vocabularies[vocabulary]
            # One query either way; a long list of names reads the whole vocabulary instead.
            terms = (
                model.objects.filter(name__in=names) if len(names) <= LOOKUP_CHUNK else model.objects.all()
            )
            self.terms[vocabulary] = {term.name: term for term in terms if term.name in names}
        self.regions = {}
        for path in sorted({plan.region_path for plan in plans if plan.region_path}):
            self.regions[path] = Region.get_or_create_path(path)

    def place_new_pages(self, plans, pages):
        """Tree places for new pages (kb.importing.tree), refusing a slug another type uses there."""
        by_type = {}
        for plan, page in zip(plans, pages, strict=True):
            by_type.setdefault(plan.type_key, []).append((plan, page))
        for type_key, group in by_type.items():
            parent = self.parents[type_key]
            taken = set(
                Page.objects.child_of(parent)
                .filter(slug__in=[plan.slug for plan, _ in group])
                .values_list("slug", flat=True)
            )
            for plan, _ in group:
                if plan.slug in taken:  # a page of another type under the same parent
                    raise ImportFailed(
                        [Problem(plan.file, "slug", f"slug“{plan.slug}”已被{parent.title}下的另一页面使用。")]
                    )
            allocate_children(parent, [page for _, page in group])

    def create_new_pages(self, plans):
        """Save new pages written one by one, each parent's new children placed at once."""
        pages = [self.pages[id(plan)] for plan in plans]
        self.place_new_pages(plans, pages)
        for plan, page in zip(plans, pages, strict=True):
            with self.reported(plan):
                # Title and slug were validated with the file; the full check comes with the revision.
                page.save(clean=False)

    def check_can_publish(self, page):
        """The permission check of Wagtail's publish action, for a page published in bulk."""
        if not page.permissions_for_user(self.user).can_publish():
            raise PublishPagePermissionError("You do not have permission to publish this page.")

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
        for name, term in plan.single_terms.items():
            setattr(page, name, self.terms[SINGLE_TERM_KEYS[name]][term])
        if hasattr(page, "region"):
            page.region = self.regions[plan.region_path] if plan.region_path else None
        page.body = plan.body
        return page

    def resolve(self, target_type, reference):
        kind, found = self.resolver.find(target_type, reference)
        return self.pages[id(found)] if kind == "plan" else found

    def resolve_all(self, references):
        return list({page.pk: page for page in (self.resolve(t, ref) for t, ref, _ in references)}.values())

    def fill_relations(self, plan, page):
        """Relations and the type's own data, before the page's revision is saved."""
        rules = rules_for(plan.type_key)
        for key, names in plan.term_lists.items():
            terms = self.terms[TERM_LIST_KEYS[key]]
            wanted = set(names)
            setattr(page, key, [term for name, term in terms.items() if name in wanted])
        for _, model_field in rules.references.values():
            setattr(page, model_field, self.resolve_all(plan.references.get(model_field, [])))
        rules.fill(self, plan, page)


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
