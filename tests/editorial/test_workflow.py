"""Review end to end through the admin's own views, with real users in the groups."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import TaskState, WorkflowState

from kb.editorial.roles import TASK_NAME, WORKFLOW_NAME
from kb.policies.models import PolicyPage
from kb.vocabularies.models import Validity
from search.models import SearchEntry, SearchFacetValue
from tests.factories import PolicyPageFactory, publish

from .conftest import add_url, edit_url, page_form


def validity(name):
    return Validity.objects.get(name=name)


def workflow_action_url(page, action):
    return reverse(
        "wagtailadmin_pages:workflow_action", args=(page.pk, action, page.current_workflow_task_state.pk)
    )


@pytest.fixture
def old_policy(indexes):
    return publish(
        PolicyPageFactory(
            parent=indexes["policy"],
            title="社区服务项目管理旧办法",
            issued_on="2008",
            validity=validity("现行有效"),
        )
    )


def test_submit_reject_resubmit_approve(as_user, indexes, editor, moderator, old_policy):
    # 1. The editor writes a policy that supersedes the old one and submits it for review.
    client = as_user(editor)
    url = add_url(indexes["policy"], PolicyPage)
    data = page_form(client, url)
    data.update({"title": "社区服务项目管理办法", "slug": "new-measures", "issued_on": "2020-05-01"})
    data["validity"] = str(validity("现行有效").pk)
    data.setlist("supersedes", [str(old_policy.pk)])
    data["action-submit"] = "action-submit"
    assert client.post(url, data).status_code == 302
    page = PolicyPage.objects.get(slug="new-measures")
    assert not page.live and page.workflow_in_progress
    assert page.get_workflow().name == WORKFLOW_NAME
    assert page.current_workflow_task.name == TASK_NAME

    # The editor cannot approve their own submission.
    client.post(workflow_action_url(page, "approve"))
    page.refresh_from_db()
    assert not page.live and page.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS

    # 2. The moderator asks for changes, with a comment the editor sees.
    client = as_user(moderator)
    task_state = page.current_workflow_task_state
    response = client.post(workflow_action_url(page, "reject"), {"comment": "请补充发文字号。"})
    assert response.status_code in (200, 302)
    task_state = TaskState.objects.get(pk=task_state.pk)
    assert task_state.status == TaskState.STATUS_REJECTED and task_state.comment == "请补充发文字号。"
    page.refresh_from_db()
    assert not page.live and page.current_workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES

    client = as_user(editor)
    assert "请补充发文字号。" in client.get(edit_url(page)).content.decode()

    # 3. The editor makes the change and resubmits: the same review carries on.
    data = page_form(client, edit_url(page))
    data["doc_number"] = "清源办发〔2020〕1号"
    data["action-submit"] = "action-submit"
    assert client.post(edit_url(page), data).status_code == 302
    page.refresh_from_db()
    assert page.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    assert WorkflowState.objects.filter(base_content_type__isnull=False, object_id=str(page.pk)).count() == 1
    assert not page.live

    # 4. The moderator approves from the edit view: the page is published.
    client = as_user(moderator)
    data = page_form(client, edit_url(page))
    data["action-workflow-action"] = "true"
    data["workflow-action-name"] = "approve"
    response = client.post(edit_url(page), data)
    assert response.status_code == 302
    page = PolicyPage.objects.get(pk=page.pk)
    assert page.live and page.doc_number == "清源办发〔2020〕1号"
    assert page.current_workflow_state is None
    assert SearchEntry.objects.filter(page_id=page.pk).exists()

    # The policy it supersedes is marked 已废止, the moderator is told, and its page says so.
    old = PolicyPage.objects.get(pk=old_policy.pk)
    assert old.validity.name == "已废止"
    notices = [str(message) for message in get_messages(response.wsgi_request)]
    assert any("社区服务项目管理旧办法" in text and "已废止" in text for text in notices), notices
    html = client.get(old.url).content.decode()
    assert 'id="validity-banner-heading"' in html and "本文件已废止" in html
    assert page.url in html and "社区服务项目管理办法" in html
    assert SearchFacetValue.objects.filter(entry_id=old.pk, facet="validity", value="已废止").exists()


def test_moderator_publishes_directly_and_editor_cannot(as_user, indexes, editor, moderator):
    page = PolicyPageFactory(parent=indexes["policy"], title="待发布政策", live=False)
    client = as_user(editor)
    data = page_form(client, edit_url(page))
    data["action-publish"] = "action-publish"
    client.post(edit_url(page), data)
    page.refresh_from_db()
    assert not page.live

    client = as_user(moderator)
    data = page_form(client, edit_url(page))
    data["action-publish"] = "action-publish"
    assert client.post(edit_url(page), data).status_code == 302
    page.refresh_from_db()
    assert page.live


def test_scheduled_publishing_and_expiry_keep_search_in_step(as_user, indexes, moderator, old_policy):
    page = PolicyPageFactory(parent=indexes["policy"], title="定时发布的政策", live=False)
    page.supersedes = [old_policy]
    page.save_revision()

    # The moderator publishes with a go-live date in the future: scheduled, not live, not searchable.
    client = as_user(moderator)
    data = page_form(client, edit_url(page))
    go_live = timezone.localtime() + datetime.timedelta(days=1)
    data["go_live_at"] = go_live.strftime("%Y-%m-%d %H:%M")
    data["action-publish"] = "action-publish"
    assert client.post(edit_url(page), data).status_code == 302
    page.refresh_from_db()
    revision = page.latest_revision
    assert not page.live and revision.approved_go_live_at is not None
    call_command("publish_scheduled")
    assert not PolicyPage.objects.get(pk=page.pk).live
    assert not SearchEntry.objects.filter(page_id=page.pk).exists()

    # The go-live time passes (moved to the past rather than waited for).
    past = timezone.now() - datetime.timedelta(minutes=5)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save()
    call_command("publish_scheduled")
    page = PolicyPage.objects.get(pk=page.pk)
    assert page.live
    assert SearchEntry.objects.filter(page_id=page.pk).exists()
    # Publishing on schedule marks the superseded policy too.
    assert PolicyPage.objects.get(pk=old_policy.pk).validity.name == "已废止"

    # An expiry date that has passed unpublishes the page and takes it out of search.
    PolicyPage.objects.filter(pk=page.pk).update(expire_at=past)
    call_command("publish_scheduled")
    page = PolicyPage.objects.get(pk=page.pk)
    assert not page.live and page.expired
    assert not SearchEntry.objects.filter(page_id=page.pk).exists()


def test_admin_forms_carry_and_require_a_csrf_token(indexes, editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    url = add_url(indexes["policy"], PolicyPage)
    assert 'name="csrfmiddlewaretoken"' in client.get(url).content.decode()
    data = page_form(client, url)  # without the token
    data.update({"title": "无令牌的提交", "slug": "no-token", "action-submit": "action-submit"})
    assert client.post(url, data).status_code == 403
    assert not PolicyPage.objects.filter(slug="no-token").exists()
