"""The groups, their permissions and the review workflow, as the migration and the site set them up."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import GroupApprovalTask, GroupPagePermission, Workflow, WorkflowPage

from kb.core.site_structure import ensure_site_structure
from kb.courses.models import CoursePage
from kb.editorial.roles import (
    EDITORS,
    MODERATORS,
    ROLE_NAMES,
    TASK_NAME,
    TRAINERS,
    WORKFLOW_NAME,
    ensure_roles,
    remove_roles,
)
from kb.policies.models import PolicyPage
from tests.factories import CasePageFactory, CoursePageFactory, PolicyPageFactory, publish

from .conftest import add_url, edit_url


def page_permissions(group_name):
    return set(
        GroupPagePermission.objects.filter(group__name=group_name).values_list(
            "page__slug", "permission__codename"
        )
    )


def test_migration_creates_the_groups_before_the_pages_exist(db):
    # The test database is migrated before any page exists: groups and workflow, no page permissions.
    assert set(Group.objects.filter(name__in=ROLE_NAMES).values_list("name", flat=True)) == set(ROLE_NAMES)
    assert not GroupPagePermission.objects.filter(group__name__in=ROLE_NAMES).exists()
    workflow = Workflow.objects.get(name=WORKFLOW_NAME)
    assert [task.specific.name for task in workflow.tasks] == [TASK_NAME]
    assert list(GroupApprovalTask.objects.get(name=TASK_NAME).groups.values_list("name", flat=True)) == [
        MODERATORS
    ]
    assert Group.objects.get(name=EDITORS).permissions.filter(codename="access_admin").exists()


def test_site_structure_attaches_page_permissions_and_workflow(home):
    assert page_permissions(EDITORS) == {
        (slug, f"{action}_page")
        for slug in ("cases", "policies", "principles")
        for action in ("add", "change", "lock")
    }
    assert page_permissions(MODERATORS) == {
        ("home", f"{action}_page") for action in ("add", "change", "publish", "lock", "unlock")
    }
    assert page_permissions(TRAINERS) == {
        ("courses", f"{action}_page") for action in ("add", "change", "lock")
    }
    assert WorkflowPage.objects.get(page=home).workflow.name == WORKFLOW_NAME


def test_roles_are_idempotent(home):
    before = {name: Group.objects.get(name=name).permissions.count() for name in ROLE_NAMES}
    ensure_roles()
    ensure_site_structure()
    assert {name: Group.objects.get(name=name).permissions.count() for name in ROLE_NAMES} == before
    assert GroupPagePermission.objects.filter(group__name__in=ROLE_NAMES).count() == 9 + 5 + 3
    assert Workflow.objects.filter(name=WORKFLOW_NAME).count() == 1
    assert GroupApprovalTask.objects.filter(name=TASK_NAME).count() == 1


def test_trainers_get_the_module_library_when_it_exists(home):
    trainers = Group.objects.get(name=TRAINERS)
    codenames = set(trainers.permissions.values_list("codename", flat=True))
    assert {"add_moduletemplate", "change_moduletemplate", "view_moduletemplate"} <= codenames
    assert "delete_moduletemplate" not in codenames
    assert not ({"add_issue", "change_issue"} & codenames)  # vocabularies: view only


def test_remove_roles_undoes_them(home):
    remove_roles()
    assert not Group.objects.filter(name__in=ROLE_NAMES).exists()
    assert not Workflow.objects.filter(name=WORKFLOW_NAME).exists()
    assert not WorkflowPage.objects.filter(page=home).exists()
    ensure_roles()  # and they come back whole
    assert page_permissions(MODERATORS)
    assert WorkflowPage.objects.get(page=home).workflow.name == WORKFLOW_NAME


def test_every_role_reaches_the_admin(client, editor, moderator, trainer):
    for user in (editor, moderator, trainer):
        client.force_login(user)
        assert client.get(reverse("wagtailadmin_home")).status_code == 200


@pytest.fixture
def policy(indexes):
    return publish(PolicyPageFactory(parent=indexes["policy"], title="某政策"))


def test_trainer_cannot_edit_a_policy_but_can_edit_courses(client, indexes, policy, trainer):
    assert not policy.permissions_for_user(trainer).can_edit()
    client.force_login(trainer)
    response = client.get(edit_url(policy))
    assert response.status_code in (302, 403)
    assert client.get(add_url(indexes["policy"], PolicyPage)).status_code in (302, 403)

    course = publish(CoursePageFactory(parent=indexes["course"], title="某课程"))
    assert course.permissions_for_user(trainer).can_edit()
    assert not course.permissions_for_user(trainer).can_publish()
    assert client.get(edit_url(course)).status_code == 200
    assert client.get(add_url(indexes["course"], CoursePage)).status_code == 200


def test_editor_edits_cases_policies_principles_but_not_courses_and_cannot_publish(indexes, policy, editor):
    case = publish(CasePageFactory(parent=indexes["case"]))
    course = publish(CoursePageFactory(parent=indexes["course"]))
    for page in (policy, case):
        permissions = page.permissions_for_user(editor)
        assert permissions.can_edit() and not permissions.can_publish() and not permissions.can_unpublish()
    assert indexes["principle"].permissions_for_user(editor).can_add_subpage()
    assert not course.permissions_for_user(editor).can_edit()
    assert not indexes["course"].permissions_for_user(editor).can_add_subpage()


def test_moderator_can_publish_anything(indexes, policy, moderator):
    course = publish(CoursePageFactory(parent=indexes["course"]))
    for page in (policy, course):
        permissions = page.permissions_for_user(moderator)
        assert permissions.can_edit() and permissions.can_publish() and permissions.can_unpublish()


def test_editor_publish_button_only_saves_a_draft(as_user, indexes, editor):
    from .conftest import page_form

    client = as_user(editor)
    url = add_url(indexes["policy"], PolicyPage)
    data = page_form(client, url)
    data.update(
        {"title": "编辑想直接发布的政策", "slug": "editor-publish", "action-publish": "action-publish"}
    )
    response = client.post(url, data)
    assert response.status_code == 302
    page = PolicyPage.objects.get(slug="editor-publish")
    assert not page.live and page.owner == editor


def test_vocabulary_snippets_for_editors(client, editor, trainer):
    client.force_login(editor)
    assert client.get(reverse("wagtailsnippets_vocabularies_issue:add")).status_code == 200
    assert client.get(reverse("wagtailsnippets_vocabularies_issue:list")).status_code == 200
    client.force_login(trainer)
    assert client.get(reverse("wagtailsnippets_vocabularies_issue:list")).status_code == 200
    assert client.get(reverse("wagtailsnippets_vocabularies_issue:add")).status_code in (302, 403)
