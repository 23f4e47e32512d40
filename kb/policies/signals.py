"""Publishing a policy marks the policies it supersedes or amends; the editor is told."""

import threading

from django.core.signals import request_started
from django.urls import reverse
from wagtail.signals import page_published

from kb.core import publishing

from . import lifecycle

# Before the search index (search.signals), so the index sees the marks.
LIFECYCLE_ORDER = 10

_local = threading.local()


def pending_notices():
    """The notices of this request (or command run) not yet shown to the editor."""
    if not hasattr(_local, "notices"):
        _local.notices = []
    return _local.notices


def take_notices():
    notices, _local.notices = pending_notices(), []
    return notices


def _reset(**kwargs):
    _local.notices = []


def on_policy_published(sender, instance, **kwargs):
    if publishing.defer(apply_marks_of, instance.pk, order=LIFECYCLE_ORDER):
        return  # applied once for the whole batch (an import run), after every page is published
    _notify(lifecycle.apply_marks(instance))


def apply_marks_of(page_ids):
    """The lifecycle of a batch of published policies, read afresh once every page is live."""
    from .models import PolicyPage

    for newer in PolicyPage.objects.filter(pk__in=page_ids).order_by("pk"):
        _notify(lifecycle.apply_marks(newer))


def _notify(entries):
    for entry in entries:
        pending_notices().append(
            {
                "text": f"《{entry.label}》{lifecycle.describe(entry)}",
                "history_url": reverse("wagtailadmin_pages:history", args=[entry.page_id]),
            }
        )


def connect():
    from .models import PolicyPage

    page_published.connect(on_policy_published, sender=PolicyPage, dispatch_uid="policies-mark-older")
    request_started.connect(_reset, dispatch_uid="policies-reset-notices")
