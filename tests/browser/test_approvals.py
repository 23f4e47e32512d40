"""A moderator approves five submitted cases in a row in the admin: each is live, with no stray draft,
found in search and served.

The approvals go through the edit view's own action menu in chromium (tests/browser/conftest.py),
so Wagtail's workflow JavaScript, the approval message and the publish all run as for a person.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.models import Workflow

from kb.cases.models import CasePage
from kb.core.page_types import index_model
from kb.core.site_structure import ensure_site_structure
from kb.editorial.roles import EDITORS, MODERATORS, WORKFLOW_NAME
from tests.factories import CasePageFactory

PASSWORD = "a-long-test-password"
TITLES = [f"第{n}个待审核的社区案例" for n in "一二三四五"]


@pytest.fixture
def submitted():
    """Five case drafts an editor has submitted for review."""
    ensure_site_structure()
    editor = get_user_model().objects.create_user(username="browser-editor", password=PASSWORD)
    editor.groups.add(Group.objects.get(name=EDITORS))
    workflow = Workflow.objects.get(name=WORKFLOW_NAME)
    parent = index_model("case").objects.get()
    pages = []
    for number, title in enumerate(TITLES):
        page = CasePageFactory(parent=parent, title=title, slug=f"review-{number}", live=False, owner=editor)
        page.save_revision(user=editor)
        workflow.start(page, editor)
        pages.append(page)
    return pages


@pytest.fixture
def moderator():
    user = get_user_model().objects.create_user(username="browser-moderator", password=PASSWORD)
    user.groups.add(Group.objects.get(name=MODERATORS))
    return user


def test_a_moderator_approves_five_cases_in_a_row(page, server_url, submitted, moderator):
    page.goto(server_url + "/admin/login/")
    page.fill("input[name=username]", moderator.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))

    for case in submitted:
        page.goto(f"{server_url}/admin/pages/{case.pk}/edit/")
        page.get_by_role("button", name="更多动作").click()
        # 批准 (the plain approval; 批准并留言 is the one that opens a comment dialog)
        page.locator(
            'button[data-workflow-action-name="approve"]:not([data-workflow-action-modal-url])'
        ).click()
        page.get_by_text(f"已批准并发布：“{case.title}”现已公开。").wait_for()

    for case in submitted:
        case = CasePage.objects.get(pk=case.pk)
        assert case.live and not case.has_unpublished_changes, case.title
        assert case.live_revision_id == case.latest_revision_id, case.title
        assert not case.workflow_in_progress
        assert page.request.get(server_url + case.url).status == 200
        found = page.request.get(server_url + "/api/search/", params={"q": case.title}).json()
        assert case.title in [hit["title"] for hit in found["results"]], case.title
