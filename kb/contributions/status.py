"""Where a contribution stands, read from its page and the page's workflow (the source of truth)."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page, WorkflowState

PENDING, PUBLISHED, REJECTED, WITHDRAWN = "pending", "published", "rejected", "withdrawn"
LABELS = {PENDING: "待审核", PUBLISHED: "已发布", REJECTED: "未通过", WITHDRAWN: "已撤下"}


@dataclass
class Status:
    key: str
    comment: str = ""
    url: str = ""

    @property
    def label(self):
        return LABELS[self.key]


def _status(page, state):
    if page is None:
        return Status(WITHDRAWN)
    if page.live:
        return Status(PUBLISHED, url=page.url or "")
    if state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS:
        return Status(PENDING)
    if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        task_state = state.current_task_state
        return Status(REJECTED, comment=(task_state.comment if task_state else "") or "")
    if page.first_published_at:  # was published, since unpublished
        return Status(WITHDRAWN)
    return Status(PENDING)  # e.g. the workflow was cancelled: the editors still hold it


def statuses(contributions):
    """{contribution pk: Status} for many contributions in three queries."""
    contributions = list(contributions)
    page_ids = [c.page_id for c in contributions if c.page_id]
    content_type = ContentType.objects.get_for_model(Page)
    latest = {}
    states = (
        WorkflowState.objects.filter(base_content_type=content_type, object_id__in=[str(i) for i in page_ids])
        .select_related("current_task_state")
        .order_by("created_at", "pk")
    )
    for state in states:
        latest[int(state.object_id)] = state  # the last one wins
    pages = {page.pk: page for page in Page.objects.filter(pk__in=page_ids)}
    return {c.pk: _status(pages.get(c.page_id), latest.get(c.page_id)) for c in contributions}


def status_of(contribution):
    return statuses([contribution])[contribution.pk]
