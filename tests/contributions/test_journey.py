"""From submission to publication: invisible on every public channel while in review, in the
moderators' queue with a private panel, 其他 mapped to terms, then live, searchable and credited;
or rejected with a comment the contributor reads at the status link."""

import xml.etree.ElementTree as ET
from urllib.parse import unquote

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.images import get_image_model

from kb.contributions.drafts import SYSTEM_USERNAME, system_user
from kb.contributions.models import Contribution
from kb.vocabularies.models import Issue

from .conftest import png, status_url

TITLE = "阳光小区居民议事会化解停车难"


def workflow_action(client, page, action, **data):
    task_state = page.current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, action, task_state.pk))
    return client.post(url, data)


def public_traces(client, page):
    """Where the case shows on the public channels (an empty list: nowhere)."""
    client.logout()
    found = []
    if client.get(f"/cases/{page.slug}/").status_code == 200:
        found.append("page")
    if TITLE in client.get("/search/", {"q": "议事会化解停车"}).content.decode():
        found.append("search page")
    if client.get("/api/search/", {"q": "议事会化解停车"}).json()["total"]:
        found.append("search api")
    for feed in ("/feeds/latest.rss", "/feeds/latest.atom"):
        if TITLE in client.get(feed).content.decode():
            found.append(feed)
    listing = client.get("/api/v2/pages/", {"type": "cases.CasePage", "fields": "contributor_credit"}).json()
    if any(item["id"] == page.pk for item in listing["items"]):
        found.append("api listing")
    if client.get(f"/api/v2/pages/{page.pk}/").status_code == 200:
        found.append("api detail")
    images = client.get("/api/v2/images/").json()["items"]
    if any(item["title"] == "议事会现场" for item in images):
        found.append("api images")
    if f"/cases/{page.slug}/" in unquote(client.get("/sitemap.xml").content.decode()):
        found.append("sitemap")
    if TITLE in client.get("/").content.decode():
        found.append("home")
    if TITLE in client.get("/cases/").content.decode():
        found.append("case index")
    return found


@pytest.fixture
def contribution(submit):
    response = submit(
        files={"image_1": png(), "caption_1": "议事会现场"},
        issues_other="高空抛物、停车难",
        community_type_other="城中村",
    )
    assert response.status_code == 302
    return Contribution.objects.select_related("page").get()


def test_in_review_nothing_is_public_then_approval_publishes_it_credited(client, contribution, moderator):
    page = contribution.page
    assert page.workflow_in_progress and not page.live
    assert public_traces(client, page) == []

    client.force_login(moderator)
    assert workflow_action(client, page, "approve").status_code in (200, 302)
    page.refresh_from_db()
    assert page.live

    assert public_traces(client, page) == [
        "page", "search page", "search api", "/feeds/latest.rss", "/feeds/latest.atom",
        "api listing", "api detail", "api images", "sitemap", "home", "case index",
    ]  # fmt: skip
    html = client.get(page.url).content.decode()
    assert "<dt>投稿人</dt><dd>李社工</dd>" in html
    assert "li@example.com" not in html  # the contact is never public
    api = client.get(f"/api/v2/pages/{page.pk}/").json()
    assert api["contributor_credit"] == "李社工" and "li@example.com" not in str(api)
    status = client.get(status_url(contribution)).content.decode()
    assert "已发布" in status and page.url in status


def test_moderators_find_it_in_their_review_queue_with_the_contact_in_a_private_panel(
    client, contribution, moderator, editor
):
    page = contribution.page
    client.force_login(moderator)
    dashboard = client.get("/admin/").content.decode()
    assert TITLE in dashboard and "li@example.com" not in dashboard
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    assert 'id="contribution-panel-contact">li@example.com<' in edit and contribution.reference in edit
    assert client.get(reverse("contributions_admin:list")).status_code == 200
    detail = client.get(reverse("contributions_admin:detail", args=[contribution.pk])).content.decode()
    assert "li@example.com" in detail and "高空抛物" in detail

    client.force_login(editor)  # editors edit cases, but never see a contributor's contact
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    assert TITLE in edit and "li@example.com" not in edit
    assert client.get(reverse("contributions_admin:list")).status_code in (302, 403)
    assert client.get(reverse("contributions_admin:detail", args=[contribution.pk])).status_code in (302, 403)


def test_other_values_map_to_terms_in_one_step_and_are_published_with_the_case(
    client, contribution, moderator
):
    assert [(v["vocabulary"], v["value"]) for v in contribution.other_values] == [
        ("issue", "高空抛物"), ("issue", "停车难"), ("community_type", "城中村"),
    ]  # fmt: skip
    client.force_login(moderator)
    url = reverse("contributions_admin:detail", args=[contribution.pk])
    form = client.get(url).context["form"]
    assert form.fields["value_0"].initial == "new"  # 高空抛物 is unknown: offered as a new term
    parking = Issue.objects.get(name="停车难")
    assert form.fields["value_1"].initial == str(parking.pk)  # 停车难 exists: offered as itself
    response = client.post(url, {"value_0": "new", "value_1": str(parking.pk), "value_2": ""})
    assert response.status_code == 302

    contribution.refresh_from_db()
    assert [v["term"] for v in contribution.other_values] == ["高空抛物", "停车难", None]
    draft = contribution.page.get_latest_revision_as_object()
    assert sorted(term.name for term in draft.issues.all()) == ["停车难", "高空抛物"]
    assert contribution.page.workflow_in_progress  # still in review

    workflow_action(client, contribution.page, "approve")
    client.logout()
    hits = client.get("/api/search/", {"issue": "高空抛物"}).json()["results"]
    assert [hit["title"] for hit in hits] == [TITLE]


def test_a_rejection_comment_reaches_the_contributor_at_the_status_link(client, contribution, moderator):
    client.force_login(moderator)
    comment = "请补充议事会的参会人数和表决结果。<b>谢谢</b>"
    assert workflow_action(client, contribution.page, "reject", comment=comment).status_code in (200, 302)
    client.logout()
    html = client.get(status_url(contribution)).content.decode()
    assert "未通过" in html and "请补充议事会的参会人数和表决结果。" in html
    assert "&lt;b&gt;谢谢&lt;/b&gt;" in html  # shown as text
    assert public_traces(client, contribution.page) == []


def test_the_status_link_is_private_and_unguessable(client, contribution):
    html = client.get(status_url(contribution)).content.decode()
    assert contribution.reference in html and "待审核" in html
    assert len(contribution.status_token) >= 32
    response = client.get(status_url(contribution))
    assert response["Referrer-Policy"] == "no-referrer" and "noindex" in response["X-Robots-Tag"]
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert client.get("/contribute/status/not-a-token/").status_code == 404


def test_anonymous_contributions_belong_to_a_system_user_nobody_can_log_in_as(client, contribution):
    owner = contribution.page.owner
    assert owner.username == SYSTEM_USERNAME and not owner.has_usable_password() and not owner.is_active
    assert system_user() == owner and get_user_model().objects.filter(username=SYSTEM_USERNAME).count() == 1
    assert contribution.page.current_workflow_state.requested_by == owner
    assert not client.login(username=SYSTEM_USERNAME, password="")


def test_a_logged_in_contributor_owns_the_draft(client, submit, editor):
    client.force_login(editor)
    submit()
    contribution = Contribution.objects.get()
    assert contribution.page.owner == editor and contribution.submitted_by == editor


def test_images_wait_in_a_restricted_collection_until_publication(client, contribution, moderator):
    [image] = contribution.images.all()
    assert image.collection.name == "待审核" and image.collection.get_parent().name == "投稿图片"
    assert image.file.name.startswith("original_images/contribution-")  # a random name, not the upload's
    client.force_login(moderator)
    workflow_action(client, contribution.page, "approve")
    assert get_image_model().objects.get(pk=image.pk).collection.name == "投稿图片"


def test_feeds_parse_and_leave_the_draft_out(client, contribution):
    feed = ET.fromstring(client.get("/feeds/latest.rss").content)
    assert TITLE not in [item.findtext("title") for item in feed.iter("item")]
