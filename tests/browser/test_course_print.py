"""A trainer opens a course in a real browser, prints the handout to PDF: titles in, notes out."""

import io
import re
import unicodedata

import pytest

from kb.core.page_types import index_model
from kb.core.site_structure import ensure_site_structure
from tests.factories import CasePageFactory, CourseModuleFactory, CoursePageFactory, publish

NOTES = "讲师备注：先发角色卡，再宣布规则。"
TITLES = ["谁是社区的主人", "开放空间实操：我们社区最想解决的事", "回顾与行动承诺"]


# Noto CJK maps some glyphs to radical code points, so the extracted text has "⼈" for 人 (undone
# by NFKC) and "⺠" for 民 (CJK Radicals Supplement, which NFKC leaves alone: mapped here).
RADICALS = str.maketrans(
    "⺠⻓⻔⻜⻢⻋⻅⻆⻚⻛⻄⻝⻩⻬⻰⻳⻘⻨⻦⻥⻉", "民长门飞马车见角页风西食黄齐龙龟青麦鸟鱼贝"
)


def squash(text):
    """Text as compared here: NFKC, radicals mapped back, whitespace (line breaks) removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).translate(RADICALS))


def pdf_text(data):
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(data))
    return squash("".join(page.extract_text() for page in reader.pages)), reader


@pytest.fixture
def course():
    ensure_site_structure()
    index = index_model("course").objects.get()
    case = CasePageFactory(
        parent=index_model("case").objects.get(),
        title="康隆园绿岛生活馆",
        summary="退休居民从旁听者变成项目负责人。",
    )
    page = CoursePageFactory(parent=index, title="能人工作坊（浏览器测试）", slug="browser-course")
    modules = []
    for position, title in enumerate(TITLES):
        module = CourseModuleFactory.build(title=title, minutes=60 + 30 * position, instructor_notes=NOTES)
        module.cases = [case] if position == 0 else []
        modules.append(module)
    page.modules = modules
    return publish(page)


def test_handout_prints_to_an_a4_pdf_with_module_titles_and_without_notes(page, server_url, course):
    page.goto(server_url + course.url)
    page.get_by_role("link", name="打印讲义（A4）").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == course.title
    text, reader = pdf_text(page.pdf(format="A4", print_background=True))
    for title in TITLES:
        assert squash(title) in text, title
    assert squash("退休居民从旁听者变成项目负责人。") in text
    assert squash(NOTES) not in text and "讲师备注" not in text
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)


def test_pdf_download_is_made_by_the_server_without_notes(page, server_url, course):
    response = page.request.get(server_url + course.participant_pdf_url, timeout=90_000)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text, _ = pdf_text(response.body())
    for title in TITLES:
        assert squash(title) in text, title
    assert squash(NOTES) not in text
