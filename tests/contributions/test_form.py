"""The form at /contribute/: what it asks, and every way it refuses input (with the typed text kept)."""

import io
import re
import struct
import zlib

import pytest
from django.test import Client
from PIL import Image as PILImage

from kb.cases.models import CasePage
from kb.contributions.models import Contribution, SubmissionAttempt
from kb.vocabularies.models import Issue, Region
from tests.factories import CasePageFactory, publish

from .conftest import CONTRIBUTE_URL, png, valid_data


def errors_of(response):
    assert response.status_code == 200
    return response.context["form"].errors


def test_the_form_asks_for_a_case_in_its_standard_sections(client, site):
    html = client.get(CONTRIBUTE_URL).content.decode()
    for label in ("案例标题", "摘要", "地区", "社区类型", "起始年份", "议题", "治理主体", "方法与机制"):
        assert label in html
    for section in ("背景与问题", "参与主体", "过程与方法", "协商与决策", "成效与证据", "经验与反思"):
        assert section in html
    assert html.count('type="file"') == 5
    assert "停车难" in html and "其他议题" in html  # the vocabulary, and the free text beside it
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'enctype="multipart/form-data"' in html


def test_labels_hints_and_groups_are_accessible(client, site):
    html = client.get(CONTRIBUTE_URL).content.decode()
    assert '<label for="id_title">' in html
    assert 'id="id_title-hint"' in html and 'aria-describedby="id_title-hint"' in html
    assert '<fieldset class="field choice-group" id="group-issues">' in html
    assert "<legend>议题" in html
    assert 'list="region-options"' in html and '<datalist id="region-options">' in html


def test_region_suggestions_come_from_published_pages_only(client, site):
    live = CasePageFactory(
        parent=site["case"], region=Region.get_or_create_path("江苏省/南通市/崇川区"), live=False
    )
    publish(live)
    CasePageFactory(parent=site["case"], region=Region.get_or_create_path("江苏省/苏州市/虚构区"), live=False)
    html = client.get(CONTRIBUTE_URL).content.decode()
    assert '<option value="江苏省/南通市/崇川区">' in html
    assert '<option value="江苏省/南通市">' in html
    assert '<option value="北京市">' in html  # every province, even without pages
    assert "虚构区" not in html and "苏州市" not in html  # a draft's place stays unlisted


def test_a_valid_submission_creates_one_draft_and_one_record(submit):
    response = submit()
    assert response.status_code == 302
    contribution = Contribution.objects.get()
    assert response["Location"].startswith(f"/contribute/status/{contribution.status_token}/")
    page = contribution.page
    assert not page.live and page.contributor_credit == "李社工"
    assert page.region.path == "四川省/成都市/武侯区"
    assert [block.value["kind"] for block in page.body] == ["background", "process"]
    assert "<li>摸清车辆底数</li>" in page.body[1].value["content"].source


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "请填写案例标题。"),
        ({"summary": ""}, "summary", "请填写摘要。"),
        ({"summary": "长" * 301}, "summary", "300"),
        ({"title": "题" * 101}, "title", "100"),
        ({"section_background": ""}, "section_background", "请填写背景与问题。"),
        ({"section_process": "  "}, "section_process", "请填写过程与方法。"),
        ({"contributor_name": ""}, "contributor_name", "请填写署名。"),
        ({"consent": None}, "consent", "请勾选同意后再提交。"),
        ({"region": "四川/成都市"}, "region", "不是省级行政区的全称"),
        ({"region": "四川省//武侯区"}, "region", "空的层级"),
        ({"year_start": "1800"}, "year_start", "年份不早于 1949 年。"),
        ({"year_start": "3000"}, "year_start", "年份不晚于今年"),
        ({"year_start": "二〇一九"}, "year_start", "请填写四位数的年份"),
        ({"year_start": "2020", "year_end": "2019"}, "year_end", "结束年份不能早于起始年份。"),
        ({"contact": "not-an-email@"}, "contact", "电子邮箱格式不对"),
        ({"contact": "call me"}, "contact", "请填写电子邮箱或电话号码"),
        ({"issues_other": "一,二,三,四,五,六"}, "issues_other", "最多填写 5 个"),
        ({"methods_other": "法" * 51}, "methods_other", "每一项不超过 50 字"),
        ({"source_url_1": "javascript:alert(1)"}, "source_url_1", ""),
        ({"source_url_2": "ftp://example.com/a"}, "source_url_2", "http:// 或 https://"),
        ({"caption_2": "没有图片的说明"}, "image_2", "没有选择图片"),
        ({"issues": ["999999"]}, "issues", ""),
        ({"section_lessons": "x" * 20_001}, "section_lessons", "20000"),
        ({"section_lessons": "> " * 30 + "深"}, "section_lessons", "嵌套超过 20 层"),
        ({"section_process": "[" * 600}, "section_process", "超过 500 个"),
    ],
)
def test_each_error_is_shown_next_to_its_field(submit, changes, field, message):
    response = submit(**changes)
    errors = errors_of(response)
    assert field in errors, errors
    assert message in " ".join(errors[field])
    html = response.content.decode()
    assert 'class="error-summary"' in html and "需要修改" in html
    assert f'id="{"group-" + field if field == "issues" else "id_" + field}' in html
    assert not Contribution.objects.exists() and not CasePage.objects.exists()


def test_the_error_summary_links_to_each_field_and_typed_text_is_kept(submit):
    response = submit(
        title="", year_start="2020", year_end="2019", section_outcomes="车位纠纷从每月十多起降到一两起。"
    )
    html = response.content.decode()
    assert '<a href="#id_title">案例标题：请填写案例标题。</a>' in html
    assert '<a href="#id_year_end">' in html
    assert 'id="id_title-error"' in html and 'aria-describedby="id_title-hint id_title-error"' in html
    assert 'aria-invalid="true"' in html
    assert "车位纠纷从每月十多起降到一两起。" in html  # what was typed comes back
    assert 'value="四川省/成都市/武侯区"' in html and "李社工" in html and "<title>有错误：" in html


def test_chosen_terms_are_kept_when_the_form_comes_back(submit, site):
    parking = Issue.objects.get(name="停车难")
    response = submit(issues=[str(parking.pk)], title="")
    html = response.content.decode()
    [box] = re.findall(rf'<input type="checkbox" name="issues" value="{parking.pk}"[^>]*>', html)
    assert "checked" in box
    others = re.findall(r'<input type="checkbox" name="issues" [^>]*>', html)
    assert sum("checked" in other for other in others) == 1


def test_choosing_a_community_type_and_writing_another_is_refused(submit, site):
    from kb.vocabularies.models import CommunityType

    chosen = CommunityType.objects.get(name="老旧院落")
    errors = errors_of(submit(community_type=str(chosen.pk), community_type_other="城中村"))
    assert "已在上面选了社区类型" in errors["community_type_other"][0]


def not_an_image():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("photo.png", b"<script>alert(1)</script>", content_type="image/png")


def png_claiming(width, height):
    """A small file whose header claims width × height pixels (a decompression bomb)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
    return SimpleUploadedFile("bomb.png", body + chunk(b"IEND", b""), content_type="image/png")


def jpeg_named_png():
    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


@pytest.mark.parametrize(
    ("make", "message"),
    [(not_an_image, "图片"), (lambda: png_claiming(20_000, 20_000), "像素过多"), (jpeg_named_png, "扩展名")],
)
def test_images_get_the_admin_upload_checks(submit, make, message):
    errors = errors_of(submit(files={"image_3": make()}))
    assert message in " ".join(errors["image_3"])
    assert not Contribution.objects.exists()


def test_an_image_over_the_size_limit_is_refused(submit, settings):
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 1000
    big = png(size=(400, 400), color=None)
    buffer = io.BytesIO()
    PILImage.effect_noise((200, 200), 80).convert("RGB").save(buffer, "PNG")
    big.file = io.BytesIO(buffer.getvalue())
    big.size = len(buffer.getvalue())
    errors = errors_of(submit(files={"image_1": big}))
    assert "image_1" in errors


def test_the_total_text_is_limited(submit, settings):
    settings.KB_CONTRIBUTION_MAX_TEXT_BYTES = 2000
    errors = errors_of(submit(section_outcomes="很" * 700))  # 2,100 bytes in UTF-8
    assert "文字总量过大" in " ".join(errors["__all__"])
    assert not Contribution.objects.exists()


def test_a_request_larger_than_all_limits_together_is_refused_before_reading(submit, settings):
    settings.KB_CONTRIBUTION_MAX_TEXT_BYTES = 1000
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 1000
    response = submit(section_outcomes="很" * 300_000)
    assert response.status_code == 413
    assert "投稿内容过大" in response.content.decode()
    assert not Contribution.objects.exists()


def test_the_honeypot_keeps_nothing_but_says_thanks(submit):
    response = submit(website="http://spam.example")
    assert response.status_code == 200 and "谢谢" in response.content.decode()
    assert not Contribution.objects.exists() and not CasePage.objects.exists()
    assert SubmissionAttempt.objects.get().accepted  # it counts against the address


def test_the_honeypot_is_hidden_from_people(client, site):
    html = client.get(CONTRIBUTE_URL).content.decode()
    start = html.index('class="hp-field"')
    assert 'aria-hidden="true"' in html[start : start + 40]
    assert 'tabindex="-1"' in html[start : start + 400]


def test_a_post_without_the_csrf_token_is_refused(site):
    client = Client(enforce_csrf_checks=True)
    response = client.post(CONTRIBUTE_URL, valid_data())
    assert response.status_code == 403
    assert not Contribution.objects.exists()


def test_with_the_csrf_token_the_same_client_succeeds(site):
    client = Client(enforce_csrf_checks=True)
    client.get(CONTRIBUTE_URL)
    token = client.cookies["csrftoken"].value
    response = client.post(CONTRIBUTE_URL, {**valid_data(), "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Contribution.objects.count() == 1
