import pytest

from kb.courses.models import format_minutes
from kb.vocabularies.models import Audience, Method
from tests.factories import CasePageFactory, CourseModuleFactory, CoursePageFactory, publish


@pytest.fixture
def course(indexes):
    case = CasePageFactory(parent=indexes["case"], title="金华里新居民之家", summary="新居民融入的项目。")
    page = CoursePageFactory(parent=indexes["course"], title="参与式培训", objectives="分析社区\n写项目书")
    page.audience = [Audience.objects.get(name="社区骨干")]
    first = CourseModuleFactory.build(
        title="分析社区", minutes=150, method=Method.objects.get(name="需求调查")
    )
    first.cases = [case]
    second = CourseModuleFactory.build(title="撰写项目申请", minutes=45, objectives="写出一份申请书")
    page.modules = [first, second]
    return publish(page), case


def test_duration_is_computed_from_modules(course):
    page, _ = course
    assert page.total_minutes == 195 and page.duration_display == "3小时15分钟"


@pytest.mark.parametrize(
    ("minutes", "text"), [(0, "0分钟"), (45, "45分钟"), (120, "2小时"), (90, "1小时30分钟")]
)
def test_minutes_read_naturally(minutes, text):
    assert format_minutes(minutes) == text


def test_course_page_shows_modules_in_order_with_linked_cases(client, course):
    page, _ = course
    html = client.get(page.url).content.decode()
    assert html.index("分析社区") < html.index("撰写项目申请")
    for text in (
        "社区骨干",
        "3小时15分钟",
        "需求调查",
        "写出一份申请书",
        "金华里新居民之家",
        "新居民融入的项目。",
    ):
        assert text in html, text


def test_case_page_lists_courses_that_teach_it(client, course):
    page, case = course
    assert list(case.linked_courses) == [page]
    assert "参与式培训" in client.get(case.url).content.decode()
