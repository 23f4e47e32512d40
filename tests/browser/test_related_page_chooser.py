"""An editor links a case to policies through the searchable page chooser, several at once, and
removes one again: Wagtail's chooser modal and kb.core.widgets.PageMultipleChooser's script in
chromium (tests/browser/conftest.py), saved through the edit view's own form."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from kb.cases.models import CasePage
from kb.core.page_types import index_model
from kb.core.site_structure import ensure_site_structure
from kb.editorial.roles import MODERATORS
from tests.factories import CasePageFactory, PolicyPageFactory

PASSWORD = "a-long-test-password"


@pytest.fixture
def pages():
    ensure_site_structure()
    policies = index_model("policy").objects.get()
    found = [
        PolicyPageFactory(parent=policies, title="成都市社区减负十条", slug="jianfu"),
        PolicyPageFactory(parent=policies, title="社区减负工作清单", slug="jianfu-qingdan"),
    ]
    PolicyPageFactory(parent=policies, title="城乡社区发展治理条例", slug="tiaoli")
    case = CasePageFactory(parent=index_model("case").objects.get(), title="减负以后的社区", slug="after")
    case.save_revision().publish()
    return case, found


@pytest.fixture
def moderator():
    user = get_user_model().objects.create_user(username="chooser-moderator", password=PASSWORD)
    user.groups.add(Group.objects.get(name=MODERATORS))
    return user


def test_an_editor_searches_ticks_two_policies_and_removes_one(page, server_url, pages, moderator):
    case, (first, second) = pages
    page.goto(server_url + "/admin/login/")
    page.fill("input[name=username]", moderator.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))

    page.goto(f"{server_url}/admin/pages/{case.pk}/edit/")
    widget = page.locator('[data-kb-page-chooser][data-name="policies"]')
    widget.get_by_role("button", name="添加政策（可搜索、可多选）").click()
    modal = page.locator(".modal-content")
    modal.locator("#id_q").fill("减负")
    results = modal.locator(".page-results")
    # the search's results replace the listing: the policy without 减负 goes (searched on the server)
    expect(results.get_by_text("城乡社区发展治理条例")).to_have_count(0)
    results.get_by_text("社区减负工作清单").wait_for()
    for policy in (first, second):
        modal.locator(f'[data-multiple-choice-select][value="{policy.pk}"]').check()
    modal.locator("[data-multiple-choice-submit]").click()
    items = widget.locator("[data-kb-page-chooser-item]")
    items.nth(1).wait_for()
    texts = " ".join(items.all_inner_texts())
    assert first.title in texts and second.title in texts

    widget.get_by_role("button", name=f"移除“{first.title}”").click()
    assert widget.locator("[data-kb-page-chooser-item]").count() == 1

    with page.expect_navigation():
        page.get_by_role("button", name="保存草稿").click()
    draft = CasePage.objects.get(pk=case.pk).get_latest_revision_as_object()
    assert list(draft.policies.all()) == [second]
