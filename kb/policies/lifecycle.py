"""A policy's life: when it takes effect, what replaces it, and keeping its stored validity in step.

Validity (时效性) is stored on the page (the editors' field, the search facet) and shown as it is on
a given day:
- a policy whose effective date (施行日期) is after that day shows 尚未生效, whatever is stored;
- a policy stored as 尚未生效 whose effective date has come shows 现行有效;
- otherwise the stored term.

A partial effective date counts from the first day of its period: "2025" from 1 January 2025,
"2025-06" from 1 June 2025 (we never know more than the document says).

When a policy that supersedes (废止/取代) or amends (修订) others takes effect — on publishing, or
on its effective date for one published in advance — each older live policy is marked 已废止 or
已修订 by publishing a new revision of it with a log entry (policies.validity_changed) naming the
newer policy. The editor sees the change in the older policy's history and can undo it by
reverting to the previous revision; a pair (older, newer) is marked at most once, so an undone
mark stays undone when the newer policy is published again. Publishing the older policy's
revision sends Wagtail's page_published signal, so the search index follows.
"""

import datetime
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from wagtail.actions.publish_page_revision import PublishPageRevisionAction
from wagtail.log_actions import get_active_log_context, log
from wagtail.models import PageLogEntry

from kb.core.fields import PARTIAL_DATE_RE

logger = logging.getLogger(__name__)

IN_FORCE = "现行有效"
REVISED = "已修订"
REPEALED = "已废止"
NOT_YET_IN_FORCE = "尚未生效"
OUTDATED = (REPEALED, REVISED)
# How final a term is: a mark only ever moves a policy up this scale (已修订 never undoes 已废止).
FINALITY = {REVISED: 1, REPEALED: 2}

VALIDITY_CHANGED = "policies.validity_changed"
REASON_SUPERSEDED = "superseded"
REASON_AMENDED = "amended"
REASON_IN_FORCE = "in_force"
REASON_NOT_YET_IN_FORCE = "not_yet_in_force"
REASON_TEXT = {
    REASON_SUPERSEDED: "被《{source}》废止/取代",
    REASON_AMENDED: "被《{source}》修订",
    REASON_IN_FORCE: "施行日期已到",
    REASON_NOT_YET_IN_FORCE: "施行日期尚未到",
}


def today():
    """The date in the site's time zone (Asia/Shanghai). Tests pass their own `today` instead."""
    return timezone.localdate()


def partial_date_start(value):
    """The first day a partial ISO date (2025, 2025-06, 2025-06-01) can mean; None if empty or bad."""
    match = PARTIAL_DATE_RE.match(value or "")
    if not match:
        return None
    year, month, day = match.groups()
    return datetime.date(int(year), int(month or 1), int(day or 1))


def has_taken_effect(policy, on=None):
    """Whether the policy is in effect by `on` (today by default); one without a date is."""
    start = partial_date_start(policy.effective_on)
    return start is None or start <= (on or today())


def validity_name_on(policy, on=None):
    """The validity to show for the policy on a day (see the module docstring); "" if unknown."""
    stored = policy.validity.name if policy.validity_id else ""
    if not has_taken_effect(policy, on):
        return NOT_YET_IN_FORCE
    if stored == NOT_YET_IN_FORCE and policy.effective_on:
        return IN_FORCE
    return stored


def validity_term(name):
    from kb.vocabularies.models import Validity

    return Validity.objects.filter(name=name).first()


def rank(name):
    return FINALITY.get(name, 0)


def describe(entry):
    """A sentence for a policies.validity_changed log entry, for the history and the editor."""
    data = entry.data or {}
    reason = REASON_TEXT.get(data.get("reason"), "自动更新").format(source=data.get("source_title", ""))
    old = data.get("old") or "（空）"
    return f"时效性由“{old}”自动改为“{data.get('new', '')}”：{reason}。"


class _PublishKeepingReview(PublishPageRevisionAction):
    """Publish as Wagtail does, but leave any review the page is in running.

    Wagtail cancels the workflow of a page when any revision of it is published; an automatic
    validity change must not throw away an editor's pending submission.
    """

    def _after_publish(self):
        self.object._current_workflow_states = []  # read by WorkflowMixin.current_workflow_state
        super()._after_publish()


@transaction.atomic
def change_validity(policy, name, *, reason, source=None, user=None):
    """Publish a new revision of the live `policy` with validity `name`; the log entry, or None.

    The revision is made from the live content, so no unreviewed draft is published. A draft the
    page has is kept as the latest revision, with the same validity, so the editor's work and a
    pending review carry on (Wagtail's approval publishes the latest revision).
    """
    from .models import PolicyPage

    term = validity_term(name)
    if term is None:
        logger.warning("Validity term %r is missing from the vocabulary; %s left unchanged.", name, policy)
        return None
    live = PolicyPage.objects.select_related("validity").get(pk=policy.pk)
    if not live.live or live.validity_id == term.pk:
        return None
    user = user or get_active_log_context().user
    draft_revision = live.latest_revision if live.has_unpublished_changes else None
    old_name = live.validity.name if live.validity_id else ""

    live.validity = term
    if live.go_live_at and live.go_live_at > timezone.now():
        live.go_live_at = None  # the live content is published now, not at a scheduled draft's time
    revision = live.save_revision(user=user, clean=False, changed=True)
    _PublishKeepingReview(revision, user=user, changed=True, log_action=False).execute(
        skip_permission_checks=True
    )
    data = {"old": old_name, "new": name, "reason": reason}
    if source is not None:
        data.update(source_page_id=source.pk, source_title=source.title)
    entry = log(
        instance=live,
        action=VALIDITY_CHANGED,
        user=user,
        data=data,
        revision=revision,
        content_changed=True,
    )
    if draft_revision is not None and draft_revision.pk != revision.pk:
        draft = draft_revision.as_object()
        draft.validity = term
        draft.save_revision(user=user, clean=False, changed=True)
    return entry


def already_marked(older, newer):
    """Whether `newer` has marked `older` before (then it never does again: undo sticks)."""
    return PageLogEntry.objects.filter(
        page_id=older.pk, action=VALIDITY_CHANGED, data__source_page_id=newer.pk
    ).exists()


def marks_due(newer, on=None):
    """(older policy, validity, reason) for each live older policy `newer` should mark now."""
    if not newer.live or not has_taken_effect(newer, on):
        return []
    due = {}
    for relation, name, reason in (
        ("supersedes", REPEALED, REASON_SUPERSEDED),
        ("amends", REVISED, REASON_AMENDED),
    ):
        for older in getattr(newer, relation).all():
            if older.pk == newer.pk or not older.live:
                continue
            current = older.validity.name if older.validity_id else ""
            if rank(name) <= rank(current) or (older.pk in due and rank(due[older.pk][1]) >= rank(name)):
                continue
            due[older.pk] = (older, name, reason)
    return [item for item in due.values() if not already_marked(item[0], newer)]


def apply_marks(newer, on=None, user=None):
    """Mark the older policies `newer` replaces; the log entries written.

    Each mark runs in its own savepoint: one that fails is logged and skipped, never undoing the
    publication of the newer policy.
    """
    entries = []
    for older, name, reason in marks_due(newer, on):
        try:
            with transaction.atomic():
                entry = change_validity(older, name, reason=reason, source=newer, user=user)
        except Exception:
            logger.exception("Could not mark %s as %s after publishing %s.", older, name, newer)
            continue
        if entry is not None:
            entries.append(entry)
    return entries


def date_changes_due(on=None):
    """(policy, validity, reason) for live policies whose stored validity the date has changed."""
    from .models import PolicyPage

    on = on or today()
    changes = []
    for policy in PolicyPage.objects.live().exclude(effective_on="").select_related("validity"):
        stored = policy.validity.name if policy.validity_id else ""
        if stored in OUTDATED:
            continue  # a repealed text stays repealed, whatever its dates
        shown = validity_name_on(policy, on)
        if shown != stored and shown in (IN_FORCE, NOT_YET_IN_FORCE):
            reason = REASON_IN_FORCE if shown == IN_FORCE else REASON_NOT_YET_IN_FORCE
            changes.append((policy, shown, reason))
    return changes


def update_all(on=None, dry_run=False):
    """Bring every live policy's stored validity in step with the day: the daily job.

    Returns a list of (policy, validity, reason, source) describing what was (or would be) done.
    """
    from .models import PolicyPage

    on = on or today()
    done = []
    for policy, name, reason in date_changes_due(on):
        if dry_run or change_validity(policy, name, reason=reason):
            done.append((policy, name, reason, None))
    newer_policies = (
        PolicyPage.objects.live()
        .filter(Q(supersedes__isnull=False) | Q(amends__isnull=False))
        .distinct()
        .order_by("pk")
    )
    for newer in newer_policies:
        if dry_run:
            done.extend((older, name, reason, newer) for older, name, reason in marks_due(newer, on))
        else:
            for entry in apply_marks(newer, on):
                done.append((entry.page.specific, entry.data["new"], entry.data["reason"], newer))
    return done
