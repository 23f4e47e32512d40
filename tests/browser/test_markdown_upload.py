"""An editor uploads a Markdown policy in the admin, confirms the preview and submits the draft.

Runs in Debian's chromium (tests/browser/conftest.py). The review workflow is the one kb.editorial
creates (政策与案例审核, attached to the home page by ensure_site_structure).
"""

import os
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from kb.core.site_structure import ensure_site_structure
from kb.editorial.roles import EDITORS, WORKFLOW_NAME
from kb.policies.models import PolicyPage

POLICY_MD = """\
---
type: policy
title: 社区议事协商工作规程（浏览器测试）
slug: browser-consultation-rules
summary: 居民议事会的议题收集、协商和公示程序。
level: 市级
region: 四川省/成都市
validity: 现行有效
issued_on: 2021-03
issuer: [成都市民政局]
---
## 要点

- 议题由居民提出，经议事会讨论后公示。
"""
PASSWORD = "a-long-test-password"
SCREENSHOTS = os.environ.get("KB_TEST_SCREENSHOTS")  # a folder: keep screenshots of the steps


@pytest.fixture
def editor(settings, tmp_path):
    settings.KB_IMPORT_STAGING_DIR = tmp_path / "staging"
    ensure_site_structure()  # the index pages, the groups' permissions and the review workflow
    user = get_user_model().objects.create_user(username="browser-editor", password=PASSWORD)
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


def test_editor_uploads_a_policy_and_submits_it_for_review(page, server_url, editor):
    page.goto(server_url + "/admin/login/")
    page.fill("input[name=username]", editor.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))

    page.get_by_role("link", name="导入 Markdown").click()
    page.wait_for_url(re.compile(r"/admin/import/$"))
    page.set_input_files(
        "input[name=files]",
        files=[{"name": "rules.md", "mimeType": "text/markdown", "buffer": POLICY_MD.encode()}],
    )
    page.get_by_role("button", name="上传并预览").click()

    page.locator("#import-preview").wait_for()
    row = page.locator("#import-preview tbody tr")
    assert row.count() == 1
    cells = row.locator("td").all_inner_texts()
    assert cells[:5] == [
        "rules.md",
        "政策",
        "browser-consultation-rules",
        "社区议事协商工作规程（浏览器测试）",
        "新建",
    ]
    assert not PolicyPage.objects.exists()  # nothing is written before the confirmation

    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/preview.png", full_page=True)
    page.get_by_role("button", name="确认导入（保存为草稿）").click()
    page.get_by_text("都保存为草稿，尚未发布").wait_for()
    policy = PolicyPage.objects.get(slug="browser-consultation-rules")
    assert not policy.live and policy.owner == editor

    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/result.png", full_page=True)
    page.get_by_role("link", name="社区议事协商工作规程（浏览器测试）").click()
    page.wait_for_url(re.compile(rf"/admin/pages/{policy.pk}/edit/$"))
    # Wagtail's footer: the primary action saves a draft; the others are in its dropdown.
    page.locator(".w-dropdown-button .w-dropdown__toggle").first.click()
    page.get_by_role("button", name=f"提交给{WORKFLOW_NAME}").click()
    page.wait_for_url(re.compile(r"/admin/pages/\d+/$"))  # back to the section's listing

    policy.refresh_from_db()
    assert policy.workflow_in_progress and not policy.live
    state = policy.current_workflow_state
    assert state.workflow.name == WORKFLOW_NAME and state.requested_by == editor
    assert policy.latest_revision.user == editor
