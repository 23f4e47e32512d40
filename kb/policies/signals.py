"""Publishing a policy marks the policies it supersedes or amends; the editor is told."""

import threading

from django.core.signals import request_started
from django.urls import reverse
from wagtail.signals import page_published

from . import lifecycle

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
    for entry in lifecycle.apply_marks(instance):
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
