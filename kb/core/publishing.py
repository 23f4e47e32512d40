"""Publishing many pages as one batch: per-page follow-up work waits for the end of the batch.

Receivers of Wagtail's publish signals (the policy lifecycle, the search index) do their work page
by page. Inside `batch()`, a receiver calls `defer(handler, page)` instead, and every handler runs
once at the end with all the pages it was given, in `order` (lower first). So the importer can
publish a whole run and only then let the lifecycle and the indexes see it: the result no longer
depends on the order the pages were published in, and the indexes are written in bulk.

Outside a batch `defer` returns False and the receiver does its work at once, as before.

The same holds for the two indexes Wagtail keeps on every save (not only on publish): its own
search index (the admin's search, drafts included) and the reference index. Inside a batch their
per-save handlers only note the object; at the end each model's objects are indexed in bulk, once,
instead of on each of the saves a page gets (creation, revision, publish).
"""

import threading
from contextlib import contextmanager

from django.db.models.signals import post_save

_state = threading.local()
_guard_lock = threading.Lock()
_guarded = False
WAGTAIL_INDEX_BATCH = 500


def in_batch():
    return getattr(_state, "pending", None) is not None


@contextmanager
def batch():
    """Defer per-page publish work to the end of the block (nested blocks join the outer one)."""
    if in_batch():
        yield
        return
    from wagtail.signal_handlers import disable_reference_index_auto_update

    _guard_wagtail_search()
    _state.pending = {}
    _state.saved = {}  # model → {pk}: objects saved in the batch, for Wagtail's indexes
    _state.referenced = set()  # (model, pk) whose reference index rows were written from memory
    try:
        with disable_reference_index_auto_update():
            yield
            _flush()
        _update_wagtail_indexes(_state.saved)
    finally:
        _state.pending = None
        _state.saved = None
        _state.referenced = None


def defer(handler, page_id, order=100):
    """Queue `handler([page ids])` for the end of the batch; False when there is no batch."""
    pending = getattr(_state, "pending", None)
    if pending is None:
        return False
    pending.setdefault((order, handler), {})[page_id] = None
    return True


def _flush():
    pending = _state.pending
    # A handler may publish more pages (the lifecycle marks older policies), which defers more
    # work: keep going until nothing is left, lowest order first.
    while pending:
        key = min(pending, key=lambda item: item[0])
        page_ids = list(pending.pop(key))
        key[1](page_ids)


def _guard_wagtail_search():
    """Put a batch-aware wrapper in place of Wagtail's per-save search handler (once, all threads).

    Outside a batch the wrapper calls Wagtail's handler as before; inside one it notes the object.
    The reference index has its own switch (disable_reference_index_auto_update, per thread).
    """
    global _guarded
    with _guard_lock:
        if _guarded:
            return
        from modelsearch import index
        from modelsearch import signal_handlers as search_handlers

        for model in index.get_indexed_models():
            if post_save.disconnect(search_handlers.post_save_signal_handler, sender=model):
                post_save.connect(
                    _on_indexed_save, sender=model, dispatch_uid=f"kb-batch-search-{model._meta.label}"
                )
        post_save.connect(_on_any_save, dispatch_uid="kb-batch-references")
        _guarded = True


def _on_indexed_save(sender, instance, **kwargs):
    if in_batch() and not kwargs.get("raw"):
        _note(instance)
        return
    from modelsearch import signal_handlers as search_handlers

    search_handlers.post_save_signal_handler(instance=instance, sender=sender, **kwargs)


def _on_any_save(sender, instance, **kwargs):
    if in_batch() and not kwargs.get("raw"):
        _note(instance)


def _note(instance):
    _state.saved.setdefault(type(instance), set()).add(instance.pk)
    # Saved again after a bulk write: its references are read afresh at the end of the batch.
    _state.referenced.discard((type(instance), instance.pk))


def note_saved(objects):
    """Objects written without a save (bulk inserts): Wagtail's search index takes them at the end
    of the batch as if they had been saved. Outside a batch they are indexed at once."""
    if not in_batch():
        for model, group in _by_model(objects).items():
            _update_wagtail_indexes({model: {obj.pk for obj in group}}, references=False)
        return
    for obj in objects:
        _note(obj)
    _state.referenced.update((type(obj), obj.pk) for obj in objects)


def _by_model(objects):
    grouped = {}
    for obj in objects:
        grouped.setdefault(type(obj), []).append(obj)
    return grouped


def update_references(objects):
    """Wagtail's reference index for `objects` as they are in memory, a few queries per model:
    the rows ReferenceIndex.create_or_update_for_object writes for each, added and removed in bulk."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from wagtail.models import ReferenceIndex

    for model, group in _by_model(objects).items():
        if not ReferenceIndex.is_indexed(model):
            continue
        content_types = [
            ContentType.objects.get_for_model(each, for_concrete_model=False)
            for each in [model] + model._meta.get_parent_list()
        ]
        content_type, base_content_type = content_types[0], content_types[-1]
        known_ids = {ct.id for ct in content_types}
        for start in range(0, len(group), WAGTAIL_INDEX_BATCH):
            chunk = group[start : start + WAGTAIL_INDEX_BATCH]
            existing = {}
            rows = ReferenceIndex.objects.filter(
                base_content_type=base_content_type, object_id__in=[str(obj.pk) for obj in chunk]
            ).values_list(
                "id",
                "object_id",
                "content_type_id",
                "to_content_type",
                "to_object_id",
                "model_path",
                "content_path",
            )
            for row_id, object_id, type_id, *reference in rows:
                existing.setdefault(object_id, {})[tuple(reference)] = (type_id, row_id)
            new_rows, removed = [], []
            for obj in chunk:
                references = set(ReferenceIndex._extract_references_from_object(obj))
                known = existing.get(str(obj.pk), {})
                new_rows += [
                    ReferenceIndex(
                        content_type=content_type,
                        base_content_type=base_content_type,
                        object_id=obj.pk,
                        to_content_type_id=to_type_id,
                        to_object_id=to_object_id,
                        model_path=model_path,
                        content_path=content_path,
                        content_path_hash=ReferenceIndex._get_content_path_hash(content_path),
                    )
                    for to_type_id, to_object_id, model_path, content_path in references - set(known)
                ]
                # A row recorded against a more specific model than this one is not a removal.
                removed += [
                    row_id
                    for reference, (type_id, row_id) in known.items()
                    if reference not in references and type_id in known_ids
                ]
            ReferenceIndex.objects.bulk_create(
                new_rows, ignore_conflicts=connection.features.supports_ignore_conflicts
            )
            if removed:
                ReferenceIndex.objects.filter(id__in=removed).delete()


def _state_referenced():
    return getattr(_state, "referenced", None) or set()


def _update_wagtail_indexes(saved, references=True):
    """Wagtail's search index and reference index for every object saved in the batch, in bulk."""
    from modelsearch import index
    from wagtail.models import ReferenceIndex
    from wagtail.search.backends import get_search_backends

    indexed_models = set(index.get_indexed_models())
    backends = list(get_search_backends(with_auto_update=True))
    for model, pks in saved.items():
        searched, referenced = model in indexed_models, references and ReferenceIndex.is_indexed(model)
        if not (searched or referenced):
            continue
        pks = sorted(pks)
        for start in range(0, len(pks), WAGTAIL_INDEX_BATCH):
            chunk = pks[start : start + WAGTAIL_INDEX_BATCH]
            if searched:
                indexable = list(model.get_indexed_objects().filter(pk__in=chunk))
                _hold_parental_relations(model, indexable)
                for backend in backends:
                    backend.add_bulk(model, indexable)
            if referenced:
                # Objects written in bulk had theirs written from memory (update_references).
                done = {pk for kind, pk in _state_referenced() if kind is model}
                update_references(
                    list(model._default_manager.filter(pk__in=[pk for pk in chunk if pk not in done]))
                )


def _hold_parental_relations(model, objects):
    """Load the ParentalManyToMany relations the search fields of `model` read, a query or two per
    relation for all `objects`, into each object's in-memory lists (modelcluster ignores
    prefetch_related: the index would otherwise query each relation of each object three times)."""
    from modelcluster.fields import ParentalManyToManyField
    from modelsearch import index

    pks = [obj.pk for obj in objects]
    for search_field in model.get_search_fields():
        if not isinstance(search_field, index.RelatedFields):
            continue
        field = model._meta.get_field(search_field.field_name)
        if not isinstance(field, ParentalManyToManyField):
            continue
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        pairs = list(
            field.remote_field.through.objects.filter(**{f"{source}_id__in": pks}).values_list(
                f"{source}_id", f"{target}_id"
            )
        )
        # In the related model's own order, as the relation's .all() gives them.
        targets = {
            obj.pk: obj for obj in field.related_model._default_manager.filter(pk__in={pk for _, pk in pairs})
        }
        position = {pk: n for n, pk in enumerate(targets)}
        held = {}
        for source_pk, target_pk in pairs:
            held.setdefault(source_pk, []).append(target_pk)
        for obj in objects:
            ordered = sorted(held.get(obj.pk, []), key=position.__getitem__)
            setattr(obj, field.name, [targets[pk] for pk in ordered])
