"""What editors meet in the admin: Chinese throughout, pinyin slugs, their drafts, honest messages."""

import re

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from kb.core.slugs import pinyin_slug
from kb.principles.models import PrinciplePage
from tests.factories import PolicyPageFactory

from .conftest import add_url, edit_url, page_form


def test_admin_strings_wagtail_leaves_in_english_are_chinese(as_user, moderator):
    with translation.override("zh-hans"):
        assert translation.gettext("Privacy and access") == "隐私与访问"
        assert translation.gettext("Search all pages…") == "搜索所有页面…"
    html = as_user(moderator).get(reverse("wagtailadmin_home")).content.decode()
    assert "Search all pages" not in html and "搜索所有页面" in html
    assert "gravatar.com" not in html  # the avatar is Wagtail's own, not a blocked external image


def test_the_edit_screen_has_no_autosave(as_user, indexes, editor):
    page = PolicyPageFactory(parent=indexes["policy"], title="自动保存检查", live=False)
    html = as_user(editor).get(edit_url(page)).content.decode()
    assert 'id="page-edit-form"' in html
    assert "data-w-autosave-interval-value" not in html


def test_pinyin_slug():
    assert pinyin_slug("成都市社区营造") == "cheng-du-shi-she-qu-ying-zao"
    assert pinyin_slug("2019年 加装电梯 A区") == "2019-nian-jia-zhuang-dian-ti-a-qu"
    long = pinyin_slug("社区" * 100)
    assert len(long) <= 80 and not long.endswith("-") and long.endswith("qu")


def test_a_chinese_slug_typed_in_the_admin_becomes_pinyin_and_ascii_stays(as_user, indexes, moderator):
    client = as_user(moderator)
    url = add_url(indexes["principle"], PrinciplePage)
    for title, slug, expected in (
        ("居民主体原则", "居民主体原则", "ju-min-zhu-ti-yuan-ze"),
        ("公共空间原则", "public-space", "public-space"),
    ):
        data = page_form(client, url)
        data.update({"title": title, "slug": slug, "action-publish": "action-publish"})
        assert client.post(url, data).status_code == 302, title
        assert PrinciplePage.objects.get(title=title).slug == expected


def test_my_drafts_panel_lists_the_users_unpublished_work(as_user, indexes, editor, moderator):
    mine = PolicyPageFactory(parent=indexes["policy"], title="我起草的政策", live=False, owner=editor)
    PolicyPageFactory(parent=indexes["policy"], title="别人的草稿", live=False, owner=moderator)
    html = as_user(editor).get(reverse("wagtailadmin_home")).content.decode()
    assert "我的草稿" in html and "我起草的政策" in html and edit_url(mine) in html
    assert "别人的草稿" not in html


def test_approving_from_the_edit_screen_says_the_page_is_live(as_user, indexes, editor, moderator):
    page = PolicyPageFactory(parent=indexes["policy"], title="待审政策", live=False, owner=editor)
    client = as_user(editor)
    data = page_form(client, edit_url(page))
    data["action-submit"] = "action-submit"
    assert client.post(edit_url(page), data).status_code == 302

    client = as_user(moderator)
    data = page_form(client, edit_url(page))
    data["action-workflow-action"] = "true"
    data["workflow-action-name"] = "approve"
    response = client.post(edit_url(page), data)
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.live and not page.has_unpublished_changes
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert "已批准并发布：“待审政策”现已公开。" in said


def test_a_new_case_starts_with_the_standard_sections_and_checkbox_vocabularies(as_user, indexes, moderator):
    from kb.cases.blocks import CASE_SECTIONS
    from kb.cases.models import CasePage

    client = as_user(moderator)
    url = add_url(indexes["case"], CasePage)
    html = client.get(url).content.decode()
    for key, _ in CASE_SECTIONS:
        # the stream's initial state (JSON in an attribute): one section of each standard kind
        assert html.count(f"&quot;value&quot;: {{&quot;kind&quot;: [&quot;{key}&quot;]") == 1, key
    assert 'type="checkbox" name="issues"' in html and 'type="checkbox" name="methods"' in html

    # Saved as it comes, with one section written: the empty ones are kept for later, not shown.
    data = {key: value for key, value in page_form(client, url).items() if not key.startswith("body")}
    sections = [
        (
            "section",
            {"kind": key, "heading": "", "content": rich_text("<p>小区里停车难。</p>" if n == 0 else "")},
        )
        for n, (key, _) in enumerate(CASE_SECTIONS)
    ]
    data.update(nested_form_data({"body": streamfield(sections)}))
    data.update({"title": "预填栏目的案例", "slug": "prefilled", "action-publish": "action-publish"})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    case = CasePage.objects.get(slug="prefilled")
    assert len(case.body) == len(CASE_SECTIONS)
    page_html = client.get(case.url).content.decode()
    assert "小区里停车难。" in page_html and "背景与问题" in page_html
    assert "经验与反思" not in page_html  # an empty section is not shown


def test_the_login_page_labels_the_password_in_chinese(client, db):
    html = client.get(reverse("wagtailadmin_login")).content.decode()
    label = re.search(r'<label[^>]*for="id_password"[^>]*>(.*?)<', html, re.S).group(1).strip()
    assert label == "密码"
    assert "Password" not in re.sub(r"<[^>]+>", " ", html)


def test_the_edit_screen_and_the_editor_placeholder_are_chinese(as_user, indexes, moderator):
    import json

    client = as_user(moderator)
    page = PolicyPageFactory(parent=indexes["policy"], title="界面文字检查")
    html = client.get(edit_url(page)).content.decode()
    assert 'aria-label="页面操作"' in html and 'aria-label="Actions"' not in html
    # the rich text editor's placeholder comes from the admin's JavaScript catalogue
    catalogue = client.get("/admin/jsi18n/").content.decode()
    found = re.search(
        r'"Write something or type \\u2018/\\u2019 to insert a block": "((?:[^"\\]|\\.)*)"', catalogue
    )
    assert found and json.loads(f'"{found.group(1)}"') == "输入内容，或输入“/”插入内容块"


def test_the_dashboard_counts_pages_in_chinese(as_user, indexes, moderator):
    html = as_user(moderator).get(reverse("wagtailadmin_home")).content.decode()
    summary = re.search(r'<section class="w-summary".*?</section>', html, re.S).group(0)
    assert re.search(r"\d+ 个页面", summary)
    assert not re.search(r"\d+ Pages?\b", summary)
