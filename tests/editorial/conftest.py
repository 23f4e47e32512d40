import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.test.utils.form_data import querydict_from_html

from kb.editorial.roles import EDITORS, MODERATORS, TRAINERS


def member_of(group_name, username):
    user = get_user_model().objects.create_user(username=username, password="pw-not-used", email="")
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def editor(home):
    return member_of(EDITORS, "editor")


@pytest.fixture
def moderator(home):
    return member_of(MODERATORS, "moderator")


@pytest.fixture
def trainer(home):
    return member_of(TRAINERS, "trainer")


@pytest.fixture
def as_user(client):
    """as_user(user) → the test client logged in as that user (one client, switched)."""

    def login(user):
        client.force_login(user)
        return client

    return login


def page_form(client, url):
    """The data the admin's page form would post as it stands (create or edit view).

    The StreamField's inputs are written by the admin's JavaScript: an empty body is posted here.
    """
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    data.setdefault("body-count", "0")
    return data


def add_url(parent, model):
    return reverse("wagtailadmin_pages:add", args=(model._meta.app_label, model._meta.model_name, parent.pk))


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=(page.pk,))
