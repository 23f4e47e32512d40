"""The new pages of an import run, written in bulk: the rows Wagtail's own path would write.

Wagtail writes a new imported page with a save (the page's two rows and a "wagtail.create" log
entry), `save_revision` (full validation, the revision, a "wagtail.edit" entry) and, with --publish,
the publish (the whole page and every relation saved again, a "wagtail.publish" entry, the
page_published signal): dozens of queries a page. Here a batch of new pages gets the same rows in a
few statements per table:

1. `insert`: every new page of the run is built, placed in the tree (kb.importing.tree), validated
   as `full_clean` would, and its page row and type row inserted, so pages of the run can refer to
   each other whatever batch they are in.
2. `finish`, per batch: the relations (many-to-many rows, inline rows), the revision (the same
   `serializable_data()` save_revision stores), the log entries, the revision and publish fields of
   the page, the page_published signal and the reference index. The follow-up work of publishing
   (the site's search index, the policy lifecycle, Wagtail's admin search index) is deferred by
   kb.core.publishing as for any page of the run.

Only page types whose relations are plain rows are written this way: a type whose inline rows have
relations of their own (a course's modules) keeps the per-page path (`supports_bulk`).
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.utils import timezone
from modelcluster.models import get_all_child_m2m_relations, get_all_child_relations
from wagtail.log_actions import get_active_log_context
from wagtail.models import COMMENTS_RELATION_NAME, Page, PageLogEntry, Revision
from wagtail.signals import page_published, published

from kb.core import publishing

BATCH_SIZE = 500
# The page fields save_revision and the publish set; written in one update per batch.
REVISION_FIELDS = ["latest_revision", "latest_revision_created_at", "draft_title", "has_unpublished_changes"]
PUBLISH_FIELDS = ["live", "expired", "live_revision", "first_published_at", "last_published_at"]


def supports_bulk(model):
    """Whether new pages of `model` can be written here: a direct subclass of Page whose inline
    rows (other than Wagtail's comments, which a new imported page has none of) are flat."""
    if model._meta.get_parent_list() != [Page]:
        return False
    for relation in get_all_child_relations(model):
        if relation.get_accessor_name() == COMMENTS_RELATION_NAME:
            continue
        child = relation.related_model
        if (
            child._meta.get_parent_list()
            or get_all_child_relations(child)
            or get_all_child_m2m_relations(child)
        ):
            return False
    return True


def batches(items, size=BATCH_SIZE):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def clean_new_page(page):
    """Page.full_clean() without its queries, for a new page the importer has placed itself.

    The field checks and the type's own `clean()` run as in full_clean. Left out, each checked once
    per batch or guaranteed instead: foreign keys point at objects this run has just read (no
    existence query each), the slug is free under the parent (checked for the batch by the writer),
    the path and translation key are new (allocated here, a fresh UUID; the database's unique
    constraints still hold them).
    """
    page._set_core_field_defaults()
    errors = {}
    relations = [field.name for field in page._meta.concrete_fields if field.is_relation]
    try:
        page.clean_fields(exclude=relations)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    page._check_slug_is_unique = _slug_checked_for_batch
    try:
        page.clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    finally:
        del page._check_slug_is_unique
    if errors:
        raise ValidationError(errors)


def _slug_checked_for_batch():
    pass


def insert_rows(pages):
    """Insert the page rows, then the type rows (Django's bulk_create does not do multi-table
    inheritance): Page.objects.bulk_create fills in each page's id from the database."""
    Page.objects.bulk_create(pages)
    by_model = {}
    for page in pages:
        page.page_ptr_id = page.id
        by_model.setdefault(type(page), []).append(page)
    for model, objects in by_model.items():
        insert_plain(model, objects, model._meta.local_concrete_fields)


def insert_plain(model, objects, fields):
    """INSERT `fields` of `objects` (their primary key set) in statements of the backend's batch size."""
    if not objects:
        return
    using = router.db_for_write(model)
    size = max(connections[using].ops.bulk_batch_size(fields, objects), 1)
    for chunk in batches(objects, size):
        model._base_manager._insert(chunk, fields=fields, using=using)
    for obj in objects:
        obj._state.adding, obj._state.db = False, using


def update_page_rows(pages, names):
    """UPDATE the page rows' fields `names` in one executemany: Django's bulk_update builds a CASE
    per field and row, most of the write's time for a batch."""
    using = router.db_for_write(Page)
    connection = connections[using]
    quote = connection.ops.quote_name
    fields = [Page._meta.get_field(name) for name in names]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(Page._meta.db_table)} SET {assignments} WHERE {quote(Page._meta.pk.column)} = %s"
    rows = [
        [field.get_db_prep_save(getattr(page, field.attname), connection) for field in fields] + [page.pk]
        for page in pages
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def keep_relations_in_memory(page):
    """Give every relation the page does not set an empty in-memory list, as a new page has: its
    serializable_data() and the inserts below then read memory, not the database."""
    held = getattr(page, "_cluster_related_objects", {})
    for relation in get_all_child_relations(page):
        if relation.get_accessor_name() not in held:
            setattr(page, relation.get_accessor_name(), [])
    for field in get_all_child_m2m_relations(page):
        if field.name not in held:
            setattr(page, field.name, [])


def insert_relations(pages):
    """The many-to-many rows and inline rows the pages hold in memory, in bulk per table."""
    through_rows, children = {}, {}
    for page in pages:
        for field in get_all_child_m2m_relations(page):
            through = field.remote_field.through
            source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
            rows = through_rows.setdefault(through, [])
            for item in getattr(page, field.name).all():
                rows.append(through(**{f"{source}_id": page.pk, f"{target}_id": item.pk}))
        for relation in get_all_child_relations(page):
            name = relation.get_accessor_name()
            if name == COMMENTS_RELATION_NAME:
                continue
            for child in getattr(page, name).all():
                setattr(child, relation.field.attname, page.pk)
                children.setdefault(relation.related_model, []).append(child)
    for model, rows in list(through_rows.items()) + list(children.items()):
        if rows:
            model.objects.bulk_create(rows)


def written_stub(page):
    """The page as a saved row with its id alone: what relations from later pages need of it."""
    stub = type(page)(id=page.pk, page_ptr_id=page.pk)
    stub._state.adding, stub._state.db = False, page._state.db
    return stub


class NewPages:
    """The run's new pages, written in bulk for the PageWriter `writer` (kb.importing.writing)."""

    def __init__(self, writer):
        self.writer = writer
        self.written = []  # (plan, page id, revision id), in the order of the plans
        self.created_at = {}  # page id → when its rows were inserted (its "wagtail.create" entry)

    def insert(self, plans):
        """Build, place, validate and insert every new page of `plans`; return the pages."""
        pages = []
        for batch in batches(plans):
            built = []
            for plan in batch:
                with self.writer.reported(plan):
                    built.append(self.writer.prepare(plan))
                plan.body = []  # the page holds it now
            self.writer.place_new_pages(batch, built)
            for plan, page in zip(batch, built, strict=True):
                with self.writer.reported(plan):
                    clean_new_page(page)
            insert_rows(built)
            now = timezone.now()
            self.created_at.update((page.pk, now) for page in built)
            pages.extend(built)
        return pages

    def finish(self, plans, pages):
        """Relations, revisions, log entries and publish state of pages `insert` wrote, per batch."""
        publish, user = self.writer.publish, self.writer.user
        context = get_active_log_context()
        log_user, uuid = user or context.user, context.uuid
        for start in range(0, len(plans), BATCH_SIZE):
            batch = list(
                zip(plans[start : start + BATCH_SIZE], pages[start : start + BATCH_SIZE], strict=True)
            )
            for plan, page in batch:
                with self.writer.reported(plan):
                    self.writer.fill_relations(plan, page)
                    keep_relations_in_memory(page)
                    if publish and user is not None:
                        self.writer.check_can_publish(page)
            batch_pages = [page for _, page in batch]
            # Serialised before the inline rows are inserted, as save_revision does (their pk is None).
            revisions = self.build_revisions(batch_pages, user)
            insert_relations(batch_pages)
            revisions = Revision.objects.bulk_create(revisions)
            for page, revision in zip(batch_pages, revisions, strict=True):
                page.latest_revision = revision
                page.latest_revision_created_at = revision.created_at
                page.draft_title = page.title
                page.has_unpublished_changes = not publish
                if publish:
                    now = timezone.now()
                    page.live, page.expired, page.live_revision = True, False, revision
                    page.first_published_at = page.first_published_at or now
                    page.last_published_at = now
            update_page_rows(batch_pages, REVISION_FIELDS + (PUBLISH_FIELDS if publish else []))
            self.log(batch_pages, revisions, log_user, uuid)
            publishing.update_references(batch_pages)
            publishing.note_saved(batch_pages)
            if publish:
                for page, revision in zip(batch_pages, revisions, strict=True):
                    # Every receiver sees the publish as Wagtail's action sends it; those that
                    # matter here (search index, policy lifecycle) defer to the end of the run.
                    page_published.send(sender=type(page), instance=page, revision=revision)
                    published.send(sender=type(page), instance=page, revision=revision)
            for (plan, page), revision in zip(batch, revisions, strict=True):
                self.written.append((plan, page.pk, revision.pk))
                # Memory stays bounded by the batch: what the rest of the run needs of a written
                # page is its id (a target of references from pages written after it).
                self.writer.pages[id(plan)] = written_stub(page)
            pages[start : start + BATCH_SIZE] = [None] * len(batch)
            self.writer.advance(len(batch) * (2 if publish else 1))

    def build_revisions(self, pages, user):
        base_type = ContentType.objects.get_for_model(Page)
        revisions = []
        for page in pages:
            revisions.append(
                Revision(
                    content_type=ContentType.objects.get_for_model(page),
                    base_content_type=base_type,
                    object_id=str(page.pk),
                    user=user,
                    content=page.serializable_data(),  # what save_revision stores
                    object_str=str(page),
                    created_at=timezone.now(),
                )
            )
        return revisions

    def log(self, pages, revisions, user, uuid):
        """The entries Wagtail's save, save_revision(log_action=True) and publish write for a new page."""
        entries = []
        for page, revision in zip(pages, revisions, strict=True):
            common = {
                "content_type": ContentType.objects.get_for_model(page, for_concrete_model=False),
                "label": PageLogEntry.objects.get_instance_title(page),
                "data": {},
                "uuid": uuid,
                "content_changed": True,
                "page_id": page.pk,
            }
            # Page.save logs the creation by the page's owner when no user is given, as the importer does.
            owner = page.owner if page.owner_id else None
            entries.append(
                PageLogEntry(
                    action="wagtail.create", timestamp=self.created_at[page.pk], user=owner or user, **common
                )
            )
            entries.append(
                PageLogEntry(
                    action="wagtail.edit",
                    timestamp=revision.created_at,
                    user=user,
                    revision=revision,
                    **common,
                )
            )
            if page.live:
                entries.append(
                    PageLogEntry(
                        action="wagtail.publish",
                        timestamp=page.last_published_at,
                        user=user,
                        revision=revision,
                        **common,
                    )
                )
        PageLogEntry.objects.bulk_create(entries)
