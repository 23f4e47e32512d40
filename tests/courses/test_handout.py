"""Print view and PDF of a course: participants never get the instructor notes."""

import pytest
from django.contrib.auth.models import Group, Permission
from wagtail.models import GroupPagePermission

from kb.courses import pdf
from tests.courses.conftest import NOTES


def test_participant_handout_has_modules_objectives_and_summaries_but_no_notes(client, course):
    response = client.get(course.participant_handout_url)
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "分析社区",
        "撰写项目申请",
        "写出一份申请书",
        "新居民融入的项目。",
        "居民是社区的主人。",
        "学员讲义",
    ):
        assert text in html, text
    assert NOTES not in html and "讲师备注" not in html
    assert "课程表" in html
    assert "排课规则" not in html  # how the day is planned is the facilitator's business
    assert html.count("<h1") == 1 and 'lang="zh-Hans"' in html
    assert "css/print.css" in html
    assert response["X-Robots-Tag"] == "noindex"


def test_facilitator_handout_needs_a_login(client, course):
    response = client.get(course.facilitator_handout_url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.get(course.facilitator_pdf_url).status_code == 302


def test_facilitator_handout_is_refused_to_users_who_cannot_edit_the_course(
    client, course, django_user_model
):
    user = django_user_model.objects.create_user("reader", password="pw")
    client.force_login(user)
    assert client.get(course.facilitator_handout_url).status_code == 403


def test_trainer_with_course_page_permission_sees_the_notes(client, course, indexes, django_user_model):
    trainers = Group.objects.create(name="测试培训师")
    trainers.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupPagePermission.objects.create(
        group=trainers, page=indexes["course"], permission=Permission.objects.get(codename="change_page")
    )
    user = django_user_model.objects.create_user("trainer", password="pw")
    user.groups.add(trainers)
    client.force_login(user)
    response = client.get(course.facilitator_handout_url)
    assert response.status_code == 200
    html = response.content.decode()
    assert NOTES in html and "讲师版讲义" in html and "排课规则" in html
    assert response["Cache-Control"] == "private, no-store"


def test_pdf_without_chromium_explains_in_chinese(client, course, settings):
    settings.CHROMIUM_PATH = "/nonexistent/chromium"
    response = client.get(course.participant_pdf_url)
    assert response.status_code == 503
    html = response.content.decode()
    assert "没有安装 Chromium" in html and course.participant_handout_url in html


def test_pdf_is_printed_from_the_handout_without_notes(client, course, monkeypatch):
    printed = {}

    def fake_pdf(html):
        printed["html"] = html
        return b"%PDF-1.4 fake"

    monkeypatch.setattr(pdf, "html_to_pdf", fake_pdf)
    response = client.get(course.participant_pdf_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    html = printed["html"]
    assert "分析社区" in html and NOTES not in html
    assert "@page" in html and "A4" in html  # the stylesheet is inlined: Chromium fetches nothing


def test_facilitator_pdf_carries_the_notes(admin_client, course, monkeypatch):
    printed = {}
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html: printed.setdefault("html", html) and b"%PDF")
    assert admin_client.get(course.facilitator_pdf_url).status_code == 200
    assert NOTES in printed["html"]


@pytest.mark.skipif(not pdf.chromium_path(), reason="no Chromium on this machine")
def test_real_pdf_is_a4(client, course):
    data = client.get(course.participant_pdf_url).content
    assert data.startswith(b"%PDF")
    pypdf = pytest.importorskip("pypdf")
    import io

    box = pypdf.PdfReader(io.BytesIO(data)).pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)


def pdf_fonts(reader):
    """(base font name, subtype, embedded font file bytes or None) of every font on every page."""
    fonts = {}
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            embedded = None
            if font.get("/Subtype") == "/Type0":
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
                embedded = descriptor["/FontFile2"].get_object().get_data()
            fonts[(str(font.get("/BaseFont")), str(font.get("/Subtype")))] = embedded
    return fonts


@pytest.mark.skipif(not pdf.chromium_path(), reason="no Chromium on this machine")
def test_real_pdf_embeds_subsets_of_the_handout_fonts_and_its_chinese_text_copies_out(
    client, course, linked_pages
):
    """The handout's text is set in the TrueType fonts of kb/courses/fonts/, embedded as subsets
    (a six-letter tag + name, a few glyphs of the whole font), never as Type 3 glyph drawings
    (what Chromium makes of the system's CFF Noto CJK), so the text extracts as the Chinese it is
    (人, not the Kangxi radical ⼈), with the readings' full addresses."""
    pypdf = pytest.importorskip("pypdf")
    import io
    import re

    response = client.get(course.participant_pdf_url)
    assert response.status_code == 200
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    fonts = pdf_fonts(reader)
    assert not [name for name, subtype in fonts if subtype == "/Type3"]
    names = {re.sub(r"^/[A-Z]{6}\+", "", name) for name, _subtype in fonts}
    assert {"KBHandoutSans-Regular", "KBHandoutSans-Bold", "KBHandoutSerif-Regular"} <= names, names
    for (name, _subtype), embedded in fonts.items():
        assert re.match(r"^/[A-Z]{6}\+", name), name  # a subset
        whole = (pdf.FONT_DIR / f"{name.split('+', 1)[1]}.ttf").stat().st_size
        assert embedded and len(embedded) < whole / 4
    text = "".join(page.extract_text() for page in reader.pages)
    for phrase in ["学员讲义", "参与式培训", "分析社区", "金华里新居民之家", "居民主体原则"]:
        assert phrase in text
    assert "\u2f08" not in text  # ⼈, how the Type 3 fonts' text came out
    flat = text.replace("\n", "")  # a long address wraps
    for linked in linked_pages.values():
        assert linked.full_url.startswith("http") and linked.full_url in flat
    destinations = [
        annotation.get_object().get("/Dest")
        for page in reader.pages
        for annotation in page.get("/Annots") or []
    ]
    assert "/module-1" in destinations  # the timetable links to its modules inside the PDF


def test_pdf_html_names_the_handout_fonts_first_and_where_they_are(client, course, monkeypatch):
    printed = {}
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html: printed.setdefault("html", html) and b"%PDF")
    assert client.get(course.participant_pdf_url).status_code == 200
    for _family, _weight, name in pdf.FONT_FACES:
        assert (pdf.FONT_DIR / name).is_file()
        assert (pdf.FONT_DIR / name).as_uri() in printed["html"]
    assert '--sans: "KB Handout Sans", "Noto Sans CJK SC"' in printed["html"]
