"""Issue 4's whole journey through the admin's own views: an editor uploads a Markdown policy and
submits it; a moderator publishes it; it reaches search, the feed and the API, and the policy it
supersedes carries the banner."""

import xml.etree.ElementTree as ET

import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kb.policies.models import PolicyPage
from kb.vocabularies.models import Validity
from tests.factories import PolicyPageFactory, publish

from .conftest import edit_url, page_form

NEW_POLICY = {
    "type": "policy",
    "title": "社区公共服务项目管理办法",
    "slug": "community-service-projects",
    "summary": "规范社区公共服务项目的申报、评审与验收。",
    "level": "市级",
    "region": "四川省/成都市",
    "issued_on": "2021-03",
    "validity": "现行有效",
    "issues": ["停车难"],
    "supersedes": ["old-service-measures"],
}


def test_upload_submit_approve_then_search_feed_api_and_banner(
    client, as_user, editor, moderator, indexes, settings, tmp_path
):
    settings.KB_IMPORT_STAGING_DIR = tmp_path
    old = publish(
        PolicyPageFactory(
            parent=indexes["policy"],
            title="社区服务项目管理旧办法",
            slug="old-service-measures",
            validity=Validity.objects.get(name="现行有效"),
            live=False,
        )
    )

    # The editor uploads the file, checks the preview and confirms: a draft.
    as_user(editor)
    front = yaml.safe_dump(NEW_POLICY, allow_unicode=True, sort_keys=False)
    upload = SimpleUploadedFile("policy.md", f"---\n{front}---\n## 要点\n\n- 项目公开评审。\n".encode())
    preview = client.post(reverse("kb_import"), {"files": [upload]})
    assert preview.status_code == 200 and "确认导入" in preview.content.decode()
    token = preview.context["confirm_form"].initial["token"]
    assert client.post(reverse("kb_import_confirm"), {"token": token}).status_code == 200
    page = PolicyPage.objects.get(slug="community-service-projects")
    assert not page.live

    # …and submits it for review from its edit page.
    data = page_form(client, edit_url(page))
    data["action-submit"] = "action-submit"
    assert client.post(edit_url(page), data).status_code == 302
    page.refresh_from_db()
    assert page.workflow_in_progress and not page.live
    # Not found while in review (the older policy may show as a close match: not the draft).
    found = client.get("/api/search/", {"q": "公共服务项目"}).json()["results"]
    assert page.title not in [hit["title"] for hit in found]

    # The moderator approves: the policy is published.
    as_user(moderator)
    approve = reverse(
        "wagtailadmin_pages:workflow_action", args=(page.pk, "approve", page.current_workflow_task_state.pk)
    )
    assert client.post(approve).status_code in (200, 302)
    page.refresh_from_db()
    assert page.live

    client.logout()  # what the public sees
    hits = client.get("/api/search/", {"q": "公共服务项目", "issue": "停车难"}).json()["results"]
    assert [hit["url"] for hit in hits] == [page.url]
    feed = ET.fromstring(client.get("/feeds/latest.rss", {"type": "policy"}).content)
    assert "[政策] 社区公共服务项目管理办法" in [item.findtext("title") for item in feed.iter("item")]
    api = client.get("/api/v2/pages/", {"type": "policies.PolicyPage", "fields": "supersedes"}).json()
    [served] = [item for item in api["items"] if item["id"] == page.pk]
    assert [p["id"] for p in served["supersedes"]] == [old.pk]

    old_html = client.get(old.url).content.decode()
    assert "已废止" in old_html and page.url in old_html and "社区公共服务项目管理办法" in old_html
    assert PolicyPage.objects.get(pk=old.pk).validity.name == "已废止"
