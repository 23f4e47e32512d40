import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage

from kb.editorial.roles import EDITORS, MODERATORS

CONTRIBUTE_URL = "/contribute/"


def valid_data(**changes):
    """What a contributor types into the form: every required field and a few optional ones."""
    data = {
        "title": "阳光小区居民议事会化解停车难",
        "summary": "老旧小区车位紧张，居民议事会商定错时停车和车位轮换规则，纠纷明显减少。",
        "region": "四川省/成都市/武侯区",
        "year_start": "2019",
        "year_end": "2021",
        "scale": "约1200户",
        "issues_other": "",
        "actors_other": "",
        "methods_other": "",
        "community_type_other": "",
        "section_background": "小区建于上世纪九十年代，只有 60 个车位，却有 300 多辆车。",
        "section_process": "居委会牵头召开议事会。\n\n- 摸清车辆底数\n- 商定错时停车",
        "contributor_name": "李社工",
        "contact": "li@example.com",
        "consent": "on",
        "website": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def png(name="photo.png", size=(80, 60), color="teal"):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, color).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def site(home, indexes):
    """The page tree, the roles and the review workflow, as a fresh site has them."""
    cache.clear()
    return indexes


@pytest.fixture
def submit(client, site):
    """submit(**changes) → the response to POSTing the form (with valid data unless changed)."""

    def post(files=None, address="203.0.113.7", **changes):
        data = valid_data(**changes)
        data.update(files or {})
        return client.post(CONTRIBUTE_URL, data, REMOTE_ADDR=address)

    return post


def member_of(group_name, username):
    user = get_user_model().objects.create_user(username=username, password="pw-not-used", email="")
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def moderator(site):
    return member_of(MODERATORS, "moderator")


@pytest.fixture
def editor(site):
    return member_of(EDITORS, "editor")


def status_url(contribution):
    return reverse("contributions:status", args=[contribution.status_token])
