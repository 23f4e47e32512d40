"""/contribute/ on a phone-sized screen in a real browser: a mistake comes back next to its field
with the text kept, then the corrected form (with a photo) is accepted into review."""

import io

import pytest
from PIL import Image as PILImage

from kb.contributions.models import Contribution
from kb.core.site_structure import ensure_site_structure
from kb.vocabularies.models import Issue

PHONE = {
    "viewport": {"width": 375, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture
def site(server_url):
    ensure_site_structure()
    return server_url


def test_a_contributor_fills_the_form_on_a_phone_and_submits_it(new_page, site, tmp_path):
    photo = tmp_path / "meeting.png"
    buffer = io.BytesIO()
    PILImage.new("RGB", (120, 80), "teal").save(buffer, "PNG")
    photo.write_bytes(buffer.getvalue())

    page = new_page(**PHONE)
    page.goto(site + "/")
    page.get_by_role("link", name="投稿案例").click()
    page.wait_for_url("**/contribute/")
    # Readable on a phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.get_by_label("案例标题").fill("幸福里院落自治小组清理楼道杂物")
    page.get_by_label("摘要").fill("院落居民自发成立自治小组，用一个月清理了六个楼道的杂物。")
    page.get_by_label("地区").fill("四川省/成都市/锦江区")
    page.get_by_role("group", name="议题").get_by_label("环境卫生").check()
    page.get_by_label("其他议题").fill("楼道堆物")
    page.get_by_label("背景与问题").fill("楼道里堆满旧家具，有消防隐患。")
    # 过程与方法 is left empty: the form must say so next to it and keep the rest.
    page.locator("#id_contributor_name").fill("幸福里居民小王")
    page.get_by_label("图片1", exact=True).set_input_files(str(photo))
    page.get_by_label("图片1说明").fill("清理后的楼道")
    page.get_by_label("我同意").check()
    page.get_by_role("button", name="提交投稿").click()

    summary = page.locator(".error-summary")
    assert "过程与方法" in summary.inner_text()
    summary.get_by_role("link").first.click()
    assert page.url.endswith("#id_section_process")  # the summary leads to the field
    assert page.locator("#id_section_process").is_visible()
    assert page.get_by_label("案例标题").input_value() == "幸福里院落自治小组清理楼道杂物"
    assert page.get_by_role("group", name="议题").get_by_label("环境卫生").is_checked()
    assert not Contribution.objects.exists()

    page.get_by_label("过程与方法").fill("小组挨家挨户商量，定下每月第一个周六集中清理。")
    page.get_by_label("图片1", exact=True).set_input_files(str(photo))  # files are never kept
    page.get_by_label("我同意").check()
    page.get_by_role("button", name="提交投稿").click()

    page.wait_for_url("**/contribute/status/**")
    assert page.get_by_role("heading", level=1).inner_text() == "已收到您的投稿"
    contribution = Contribution.objects.get()
    assert contribution.reference in page.inner_text("main")
    assert contribution.page.workflow_in_progress and not contribution.page.live
    assert contribution.images.count() == 1
    draft = contribution.page
    assert list(draft.issues.all()) == [Issue.objects.get(name="环境卫生")]
    assert [item["value"] for item in contribution.other_values] == ["楼道堆物"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
