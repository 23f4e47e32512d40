"""导入 Markdown in the admin: upload, preview, confirm, through the admin's own views."""

import io
import zipfile
from pathlib import Path

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kb.editorial.roles import EDITORS, MODERATORS, TRAINERS
from kb.importing import upload as uploads
from kb.policies.models import PolicyPage
from kb.principles.models import PrinciplePage
from kb.vocabularies.models import Issue
from tests.factories import PolicyPageFactory, publish

UPLOAD_URL = reverse("kb_import")
CONFIRM_URL = reverse("kb_import_confirm")
MENU_ITEM = '"name": "import-markdown"'

POLICY = {
    "type": "policy",
    "title": "社区公共服务指导意见",
    "slug": "community-service-guidance",
    "summary": "关于社区公共服务的指导意见。",
    "level": "市级",
    "region": "四川省/成都市",
    "issued_on": "2020-05-01",
    "validity": "现行有效",
    "issuer": ["成都市民政局"],
    "actors": ["居委会"],
}
PRINCIPLE = {
    "type": "principle",
    "title": "居民主体原则",
    "slug": "resident-led",
    "group": "六原则",
    "order": 1,
}


def md(meta, body="## 要点\n\n- 第一条。\n"):
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    return f"---\n{front}---\n{body}".encode()


def md_file(name, meta, body="## 要点\n\n- 第一条。\n"):
    return SimpleUploadedFile(name, md(meta, body) if isinstance(meta, dict) else meta, "text/markdown")


def zip_file(name, entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry, data in entries.items():
            if isinstance(entry, zipfile.ZipInfo):
                archive.writestr(entry, data)
            else:
                archive.writestr(entry, data)
    return SimpleUploadedFile(name, buffer.getvalue(), "application/zip")


def member_of(group_name, username):
    user = get_user_model().objects.create_user(username=username, password="pw-not-used")
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture(autouse=True)
def staging(settings, tmp_path):
    settings.KB_IMPORT_STAGING_DIR = tmp_path / "staging"
    return settings.KB_IMPORT_STAGING_DIR


def staged_uploads(staging):
    return list(Path(staging).iterdir()) if Path(staging).exists() else []


@pytest.fixture
def editor(home):
    return member_of(EDITORS, "editor")


@pytest.fixture
def client_of(db):
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def as_editor(client_of, editor):
    return client_of(editor)


def post_upload(client, *files, **data):
    return client.post(UPLOAD_URL, {"files": list(files), **data})


def confirm(client, response, **extra):
    token = response.context["confirm_form"].initial["token"]
    return client.post(CONFIRM_URL, {"token": token, **extra})


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# --------------------------------------------------------------------------- the happy path


def test_menu_item_and_upload_form(as_editor):
    response = as_editor.get(reverse("wagtailadmin_home"))
    assert MENU_ITEM in response.content.decode()  # the sidebar's data
    response = as_editor.get(UPLOAD_URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'enctype="multipart/form-data"' in content
    assert "csrfmiddlewaretoken" in content
    assert "上传并预览" in content
    assert "新增未知词条" in content  # editors may add vocabulary terms


def test_preview_writes_nothing_then_confirm_saves_a_draft_owned_by_the_editor(
    as_editor, editor, indexes, staging
):
    response = post_upload(as_editor, md_file("policy.md", POLICY))
    assert response.status_code == 200
    assert [(r.file, r.type, r.slug, r.title, r.action, r.problems) for r in response.context["rows"]] == [
        ("policy.md", "政策", "community-service-guidance", "社区公共服务指导意见", "新建", [])
    ]
    content = response.content.decode()
    assert "确认导入" in content and "检查通过" in content and "政策：新建 1，更新 0" in content
    assert not PolicyPage.objects.exists()  # the preview is a dry run
    assert len(staged_uploads(staging)) == 1  # kept on the server until confirmed

    response = confirm(as_editor, response)
    assert response.status_code == 200
    page = PolicyPage.objects.get(slug="community-service-guidance")
    assert not page.live and page.has_unpublished_changes
    assert page.owner == editor
    revision = page.latest_revision
    assert revision.user == editor
    assert page.get_parent().specific == indexes["policy"]
    draft = revision.as_object()
    assert draft.level.name == "市级" and draft.issued_on == "2020-05-01"
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    content = response.content.decode()
    assert f'href="{edit_url}"' in content
    assert "保存为草稿" in content and "提交审核" in content
    assert staged_uploads(staging) == []  # taken and deleted

    # The editor can now submit it for moderation in Wagtail's normal way.
    response = as_editor.get(edit_url)
    assert response.status_code == 200
    assert 'name="action-submit"' in response.content.decode()


def test_same_slug_updates_the_page_as_a_new_draft(as_editor, indexes):
    page = publish(
        PolicyPageFactory(parent=indexes["policy"], title="旧标题", slug="community-service-guidance")
    )
    revisions = page.revisions.count()
    response = post_upload(as_editor, md_file("policy.md", POLICY))
    assert response.context["rows"][0].action == "更新"
    confirm(as_editor, response)
    page.refresh_from_db()
    assert PolicyPage.objects.count() == 1
    assert page.live and page.title == "旧标题"  # the live version is untouched until approved
    assert page.has_unpublished_changes and page.revisions.count() == revisions + 1
    assert page.get_latest_revision_as_object().title == "社区公共服务指导意见"


def test_several_files_and_references_between_them(as_editor, indexes):
    policy = dict(POLICY, principles=["resident-led"])
    response = post_upload(
        as_editor, md_file("policy.md", policy), md_file("principle.md", PRINCIPLE, "正文。")
    )
    assert [row.action for row in response.context["rows"]] == ["新建", "新建"]
    confirm(as_editor, response)
    page = PolicyPage.objects.get()
    assert [p.slug for p in page.get_latest_revision_as_object().principles.all()] == ["resident-led"]
    assert PrinciplePage.objects.filter(slug="resident-led", live=False).exists()


def test_new_terms_only_when_asked_and_allowed(as_editor, indexes):
    policy = dict(POLICY, issues=["社区食堂"])
    response = post_upload(as_editor, md_file("policy.md", policy))
    (row,) = response.context["rows"]
    assert row.problems and row.problems[0][0] == "issues"
    assert "请勾选“新增未知词条”" in row.problems[0][1]  # the admin's wording, not the command's flag
    assert "--create-terms" not in response.content.decode()

    response = post_upload(as_editor, md_file("policy.md", policy), create_terms="on")
    assert "将新增词条：议题“社区食堂”" in response.content.decode()
    assert not Issue.objects.filter(name="社区食堂").exists()
    confirm(as_editor, response)
    assert Issue.objects.filter(name="社区食堂").exists()


# --------------------------------------------------------------------------- all or nothing


def test_one_bad_file_means_nothing_is_written_and_every_problem_is_listed(as_editor, indexes, staging):
    bad = dict(POLICY, title="", slug="bad-policy", level="省部级", colour="红")
    response = post_upload(
        as_editor,
        md_file("good.md", PRINCIPLE, "正文。"),
        md_file("bad.md", bad),
        md_file("broken.md", b"no front matter here"),
    )
    assert response.status_code == 200
    rows = {row.file: row for row in response.context["rows"]}
    assert rows["good.md"].problems == []
    problems = dict(rows["bad.md"].problems)
    assert set(problems) == {"title", "level", "colour"}
    assert "必填" in problems["title"]
    assert "省级" in problems["level"]  # the nearest known values
    assert rows["broken.md"].problems == [("", "文件必须以“---”开头的 YAML 头信息开始。")]
    content = response.content.decode()
    assert "发现 4 个问题，未写入任何内容" in content
    assert "<code>level</code>" in content and "bad.md" in content
    assert "确认导入" not in content and "重新上传" in content
    assert not PrinciplePage.objects.exists() and not PolicyPage.objects.exists()
    assert staged_uploads(staging) == []


def test_problems_across_files_are_listed(as_editor, indexes):
    response = post_upload(
        as_editor,
        md_file("a.md", dict(POLICY, principles=["nowhere"])),
        md_file("b.md", dict(POLICY, slug="other-slug")),
    )
    rows = {row.file: row for row in response.context["rows"]}
    assert any(field == "principles" and "找不到原则“nowhere”" in m for field, m in rows["a.md"].problems)
    assert any(field == "title" and "a.md" in m for field, m in rows["b.md"].problems)
    assert not PolicyPage.objects.exists()


def test_site_changed_between_preview_and_confirm(as_editor, indexes):
    response = post_upload(as_editor, md_file("policy.md", POLICY))
    publish(PolicyPageFactory(parent=indexes["policy"], title=POLICY["title"], slug="someone-elses"))
    response = confirm(as_editor, response)
    assert response.status_code == 200
    assert "确认时重新检查" in response.content.decode()
    assert any(field == "title" for field, _ in response.context["rows"][0].problems)
    assert not PolicyPage.objects.filter(slug="community-service-guidance").exists()


def test_cancel_deletes_the_upload(as_editor, indexes, staging):
    response = post_upload(as_editor, md_file("policy.md", POLICY))
    response = confirm(as_editor, response, cancel="1")
    assert response.status_code == 302
    assert "已取消导入，未写入任何内容。" in messages_of(response)
    assert staged_uploads(staging) == [] and not PolicyPage.objects.exists()


# --------------------------------------------------------------------------- zip archives


def test_zip_with_nested_folders_and_other_files(as_editor, indexes):
    archive = zip_file(
        "content.zip",
        {
            "content/policies/2020/policy.md": md(POLICY),
            "content/principles/principle.md": md(PRINCIPLE, "正文。"),
            "content/images/photo.png": b"\x89PNG not really",
            "content/README.txt": b"readme",
            "__MACOSX/content/._policy.md": b"\x00\x05\x16\x07 apple double",
            "content/.hidden.md": b"not content",
        },
    )
    response = post_upload(as_editor, archive)
    rows = response.context["rows"]
    assert [row.file for row in rows] == [
        "content.zip/content/policies/2020/policy.md",
        "content.zip/content/principles/principle.md",
    ]
    assert all(not row.problems for row in rows)
    content = response.content.decode()
    assert "已忽略压缩包中的 4 个非 .md 文件" in content
    assert "content.zip/content/images/photo.png" in content
    confirm(as_editor, response)
    assert PolicyPage.objects.count() == 1 and PrinciplePage.objects.count() == 1


def test_zip_names_in_gbk_are_read(as_editor, indexes):
    gbk = "政策.md".encode("gbk")
    placeholder = b"x" * (len(gbk) - 3) + b".md"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(placeholder.decode(), md(POLICY))
    # A zip made on Chinese Windows: GBK names, without the flag that declares UTF-8.
    data = buffer.getvalue().replace(placeholder, gbk)
    response = post_upload(as_editor, SimpleUploadedFile("win.zip", data))
    assert [row.file for row in response.context["rows"]] == ["win.zip/政策.md"]


def refusal(response):
    assert response.status_code == 200
    form = response.context["form"]
    return " ".join(form.errors.get("files", []))


@pytest.mark.parametrize(
    "name", ["../evil.md", "/etc/evil.md", "a/../../evil.md", "C:/evil.md", "a\\..\\evil.md"]
)
def test_zip_with_unsafe_names_is_refused(as_editor, indexes, name):
    archive = zip_file("bad.zip", {"fine.md": md(POLICY), name: md(PRINCIPLE)})
    message = refusal(post_upload(as_editor, archive))
    assert "不安全的文件名" in message and "整个压缩包已拒绝" in message
    assert not PolicyPage.objects.exists()


def test_zip_bomb_is_refused_before_it_is_unpacked(as_editor, indexes, settings):
    settings.KB_IMPORT_MAX_FILE_SIZE = 100_000
    archive = zip_file("bomb.zip", {"bomb.md": b"---\n" + b" " * 5_000_000})
    assert len(archive) < 50_000
    message = refusal(post_upload(as_editor, archive))
    assert "bomb.md" in message and "超过单个文件的上限" in message


def test_zip_too_large_once_unpacked_is_refused(as_editor, indexes, settings):
    settings.KB_IMPORT_MAX_UNZIPPED_SIZE = 50_000
    entries = {f"p{n}.md": md(dict(POLICY, slug=f"p{n}", title=f"政策{n}"), "文" * 10_000) for n in range(3)}
    message = refusal(post_upload(as_editor, zip_file("big.zip", entries)))
    assert "解压后共" in message and "超过上限" in message


def test_zip_with_a_lying_size_is_refused(as_editor, indexes, settings):
    settings.KB_IMPORT_MAX_FILE_SIZE = 10_000
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("liar.md", b"x" * 500_000)
    data = bytearray(buffer.getvalue())
    # Claim 100 bytes instead of 500 000 in both headers (local at 22, central directory after it).
    real = (500_000).to_bytes(4, "little")
    for at in [i for i in range(len(data) - 3) if data[i : i + 4] == real]:
        data[at : at + 4] = (100).to_bytes(4, "little")
    message = refusal(post_upload(as_editor, SimpleUploadedFile("liar.zip", bytes(data))))
    assert "liar" in message
    assert not PolicyPage.objects.exists()


def test_zip_with_too_many_entries_or_files_is_refused(as_editor, indexes, settings):
    settings.KB_IMPORT_MAX_ZIP_ENTRIES = 10
    entries = {f"img/{n}.png": b"x" for n in range(11)}
    message = refusal(post_upload(as_editor, zip_file("many.zip", entries)))
    assert "11 个条目，超过上限 10 个" in message

    settings.KB_IMPORT_MAX_FILES = 2
    entries = {f"p{n}.md": md(dict(POLICY, slug=f"p{n}")) for n in range(3)}
    message = refusal(post_upload(as_editor, zip_file("three.zip", entries)))
    assert "3 个 .md 文件，超过上限 2 个" in message


def test_encrypted_not_a_zip_and_other_types_are_refused(as_editor, indexes):
    data = bytearray(zip_file("secret.zip", {"secret.md": md(POLICY)}).read())
    # Mark the entry encrypted in both headers (zipfile cannot write encrypted archives).
    data[6] |= 0x1
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 0x1
    message = refusal(post_upload(as_editor, SimpleUploadedFile("secret.zip", bytes(data))))
    assert "有密码保护" in message

    message = refusal(post_upload(as_editor, SimpleUploadedFile("fake.zip", b"not a zip at all")))
    assert "“fake.zip”不是有效的 zip 压缩包。" in message

    message = refusal(post_upload(as_editor, SimpleUploadedFile("notes.txt", b"hello")))
    assert "“notes.txt”不是 .md 文件或 .zip 压缩包。" in message

    message = refusal(post_upload(as_editor, zip_file("empty.zip", {"a.txt": b"x"})))
    assert "“empty.zip”中没有 .md 文件。" in message

    message = refusal(post_upload(as_editor))
    assert "请选择要上传的文件。" in message


def test_too_large_files_are_refused(as_editor, indexes, settings):
    settings.KB_IMPORT_MAX_FILE_SIZE = 1000
    message = refusal(post_upload(as_editor, md_file("long.md", POLICY, "文" * 1000)))
    assert "“long.md”有" in message and "超过单个文件的上限" in message
    settings.KB_IMPORT_MAX_UPLOAD_SIZE = 500
    message = refusal(post_upload(as_editor, md_file("long.md", POLICY, "文" * 1000)))
    assert "上传的文件合计" in message


def test_not_utf8_is_a_problem_of_that_file(as_editor, indexes):
    response = post_upload(as_editor, md_file("gbk.md", md(POLICY).decode().encode("gbk")))
    assert response.context["rows"][0].problems == [("", "文件不是 UTF-8 编码。")]


# --------------------------------------------------------------------------- escaping


XSS = "<script>alert(1)</script>"


def test_preview_escapes_file_names_titles_and_messages(as_editor, indexes):
    evil = {"type": "policy", "title": f"<img src=x onerror=alert(1)>{XSS}", XSS: "x", "level": XSS}
    # Django keeps only the last part of an uploaded file's name after a "/": no "</script>" there.
    upload = md_file("<svg onload=alert(2)>.md", evil)
    archive = zip_file(
        "a.zip", {f"<b>{XSS}</b>.md": md(dict(evil, slug="other")), "<img src=x onerror=alert(3)>.png": b""}
    )
    response = post_upload(as_editor, upload, archive)
    content = response.content.decode()
    assert "<script>alert" not in content
    assert "<img src=x" not in content and "<svg onload" not in content and "<b><script>" not in content
    assert "&lt;svg onload=alert(2)&gt;.md" in content  # an uploaded file's name
    assert "a.zip/&lt;b&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;/b&gt;.md" in content  # an entry's
    assert "&lt;img src=x onerror=alert(1)&gt;" in content  # the title
    assert "a.zip/&lt;img src=x onerror=alert(3)&gt;.png" in content  # an ignored entry's name
    assert "未知的政策层级“&lt;script&gt;" in content  # a message quoting the value


def test_imported_markdown_is_sanitised(as_editor, indexes):
    body = '## 要点\n\n正文<script>alert(1)</script><a href="javascript:alert(1)">链接</a>\n'
    title = f"政策{XSS}"
    response = post_upload(as_editor, md_file("policy.md", dict(POLICY, title=title), body))
    content = response.content.decode()
    assert "<script>alert" not in content and "政策&lt;script&gt;" in content
    response = confirm(as_editor, response)
    assert "<script>alert" not in response.content.decode()
    draft = PolicyPage.objects.get().get_latest_revision_as_object()
    html = draft.body[0].value["content"].source
    assert "<script" not in html and "javascript:" not in html and "正文" in html


# --------------------------------------------------------------------------- who may upload


def test_anonymous_users_are_sent_to_the_login_form(client, home):
    for response in (client.get(UPLOAD_URL), client.post(CONFIRM_URL, {"token": "x" * 32})):
        assert response.status_code == 302
        assert response.url.startswith(reverse("wagtailadmin_login"))


def test_user_without_admin_access_is_refused(client_of, indexes):
    user = get_user_model().objects.create_user(username="reader", password="pw-not-used")
    client = client_of(user)
    response = post_upload(client, md_file("policy.md", POLICY))
    assert response.status_code == 302 and response.url.startswith(reverse("wagtailadmin_login"))
    assert not PolicyPage.objects.exists()


def test_admin_user_who_cannot_add_pages_is_refused(client_of, indexes):
    user = get_user_model().objects.create_user(username="viewer", password="pw-not-used")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client = client_of(user)
    assert MENU_ITEM not in client.get(reverse("wagtailadmin_home")).content.decode()
    for response in (client.get(UPLOAD_URL), post_upload(client, md_file("policy.md", POLICY))):
        assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    assert not PolicyPage.objects.exists()


def test_each_file_needs_permission_for_its_section(client_of, indexes):
    trainer = member_of(TRAINERS, "trainer")  # may add courses, not policies
    client = client_of(trainer)
    response = client.get(UPLOAD_URL)
    assert response.status_code == 200
    assert "新增未知词条" not in response.content.decode()  # trainers may not add vocabulary terms
    response = post_upload(client, md_file("policy.md", POLICY), create_terms="on")
    assert response.context["rows"][0].problems == [("type", "你没有新建政策的权限。")]
    assert not PolicyPage.objects.exists()


def test_locked_page_cannot_be_updated(as_editor, indexes):
    moderator = member_of(MODERATORS, "moderator")
    page = publish(PolicyPageFactory(parent=indexes["policy"], title="旧标题", slug=POLICY["slug"]))
    page.locked, page.locked_by = True, moderator
    page.save()
    response = post_upload(as_editor, md_file("policy.md", POLICY))
    assert response.context["rows"][0].problems == [("slug", "政策“旧标题”已被锁定，暂时不能更新。")]


# --------------------------------------------------------------------------- the confirmation


def test_forms_refuse_posts_without_csrf_token(editor, indexes):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert post_upload(client, md_file("policy.md", POLICY)).status_code == 403
    assert client.post(CONFIRM_URL, {"token": "x" * 32}).status_code == 403
    assert not PolicyPage.objects.exists()


@pytest.mark.parametrize("token", ["", "x" * 32, "../../etc", "a" * 64, "Z" * 31 + "/"])
def test_tampered_token_fails_safely(as_editor, indexes, staging, token):
    response = post_upload(as_editor, md_file("policy.md", POLICY))
    response = as_editor.post(CONFIRM_URL, {"token": token})
    assert response.status_code == 302 and response.url == UPLOAD_URL
    assert any("这次上传已失效" in m for m in messages_of(response))
    assert not PolicyPage.objects.exists()
    assert len(staged_uploads(staging)) == 1  # the real upload is still waiting


def test_token_is_single_use(as_editor, indexes):
    preview = post_upload(as_editor, md_file("policy.md", POLICY))
    assert confirm(as_editor, preview).status_code == 200
    response = confirm(as_editor, preview)
    assert response.status_code == 302
    assert PolicyPage.objects.get().revisions.count() == 1


def test_token_of_another_user_is_refused(as_editor, client_of, indexes, staging):
    preview = post_upload(as_editor, md_file("policy.md", POLICY))
    token = preview.context["confirm_form"].initial["token"]
    other = client_of(member_of(EDITORS, "other-editor"))
    response = other.post(CONFIRM_URL, {"token": token})  # not issued to this session
    assert response.status_code == 302 and not PolicyPage.objects.exists()
    session = other.session
    session[uploads.SESSION_KEY] = [token]  # even if the session somehow held it
    session.save()
    response = other.post(CONFIRM_URL, {"token": token})
    assert response.status_code == 302 and not PolicyPage.objects.exists()


def test_expired_upload_is_refused_and_purged(as_editor, indexes, staging, settings):
    preview = post_upload(as_editor, md_file("policy.md", POLICY))
    settings.KB_IMPORT_STAGING_SECONDS = -1
    response = confirm(as_editor, preview)
    assert response.status_code == 302 and not PolicyPage.objects.exists()
    post_upload(as_editor, md_file("policy.md", POLICY))  # another upload clears old ones
    post_upload(as_editor, md_file("policy.md", POLICY))
    assert len(staged_uploads(staging)) == 1


def test_get_is_not_allowed_on_confirm(as_editor, indexes):
    assert as_editor.get(CONFIRM_URL).status_code == 405


# --------------------------------------------------------------------------- hostile files (issue 16)


def test_body_over_its_limit_is_a_problem_of_that_file_before_rendering(as_editor, indexes, settings):
    settings.KB_IMPORT_MAX_BODY_BYTES = 1000
    response = post_upload(
        as_editor, md_file("good.md", PRINCIPLE, "正文。"), md_file("long.md", POLICY, "文" * 400)
    )
    assert response.status_code == 200
    rows = {row.file: row for row in response.context["rows"]}
    [(where, message)] = rows["long.md"].problems
    assert where == "正文" and message.startswith("正文有 1.2") and "超过上限 1000" in message
    assert rows["good.md"].problems == []
    assert "确认导入" not in response.content.decode()
    assert not PolicyPage.objects.exists() and not PrinciplePage.objects.exists()


def test_default_file_limit_is_front_matter_plus_body(as_editor, indexes, settings):
    assert uploads.limit("KB_IMPORT_MAX_FILE_SIZE") == (
        settings.KB_IMPORT_MAX_FRONT_MATTER_BYTES + settings.KB_IMPORT_MAX_BODY_BYTES
    )
    # A file just over the body limit but within the file limit reaches the importer's own check.
    body = "文" * (settings.KB_IMPORT_MAX_BODY_BYTES // 3 + 10)
    response = post_upload(as_editor, md_file("big.md", POLICY, body))
    [(where, message)] = response.context["rows"][0].problems
    assert where == "正文" and "超过上限 2.0\xa0MB" in message


@pytest.mark.parametrize(
    "front, expected",
    [
        ("type: policy\ntitle: &a 甲\nslug: *a\n", "不允许使用 YAML 锚点（&a）"),
        ("type: [case, policy]\ntitle: 甲\n", "应为一个类型"),
        ("type: policy\ntitle: !!python/object:os.system 甲\n", "不允许使用 YAML 标签"),
    ],
)
def test_hostile_front_matter_is_a_problem_of_that_file(as_editor, indexes, front, expected):
    response = post_upload(as_editor, md_file("bad.md", f"---\n{front}---\n正文。\n".encode()))
    assert response.status_code == 200
    [(_, message)] = response.context["rows"][0].problems
    assert expected in message
    assert "Traceback" not in response.content.decode()
    assert not PolicyPage.objects.exists()


def test_deep_nesting_in_an_uploaded_body_is_refused(as_editor, indexes):
    body = "".join("  " * depth + "- 项\n" for depth in range(1000))
    response = post_upload(as_editor, md_file("deep.md", POLICY, body))
    [(where, message)] = response.context["rows"][0].problems
    assert where == "正文" and "嵌套" in message
    assert not PolicyPage.objects.exists()


def test_a_supersedes_loop_in_an_upload_is_refused_with_the_chain(as_editor, indexes):
    response = post_upload(
        as_editor,
        md_file("a.md", dict(POLICY, slug="a", title="甲", supersedes=["b"])),
        md_file("b.md", dict(POLICY, slug="b", title="乙", amends=["a"])),
    )
    rows = {row.file: row for row in response.context["rows"]}
    assert ("supersedes", "取代/修订关系形成循环：“甲” → “乙” → “甲”。新政策只能取代或修订更早的政策。") in (
        rows["a.md"].problems
    )
    assert not PolicyPage.objects.exists()


def test_an_unexpected_error_is_shown_as_a_problem_not_a_server_error(as_editor, indexes, monkeypatch):
    from kb.importing.problems import INTERNAL_ERROR
    from kb.policies.importing import PolicyRules

    def broken(self, validator, plan):
        raise KeyError("bug")

    monkeypatch.setattr(PolicyRules, "validate", broken)
    response = post_upload(as_editor, md_file("policy.md", POLICY))
    assert response.status_code == 200
    assert response.context["rows"][0].problems == [("", INTERNAL_ERROR)]
    assert not PolicyPage.objects.exists()
