import pytest

from kb.courses.models import format_minutes
from tests.courses.conftest import NOTES


def test_duration_is_computed_from_modules(course):
    assert course.total_minutes == 195 and course.duration_display == "3小时15分钟"
    first = course.modules.first()
    assert first.teaching_minutes == 60 and first.split_display == "讲授1小时，练习1小时30分钟"


@pytest.mark.parametrize(
    ("minutes", "text"), [(0, "0分钟"), (45, "45分钟"), (120, "2小时"), (90, "1小时30分钟")]
)
def test_minutes_read_naturally(minutes, text):
    assert format_minutes(minutes) == text


def test_course_page_shows_modules_in_order_with_linked_cases(client, course):
    html = client.get(course.url).content.decode()
    assert html.index("分析社区") < html.index("撰写项目申请")
    for text in (
        "社区骨干",
        "3小时15分钟",
        "需求调查",
        "写出一份申请书",
        "我们社区住着谁？",
        "先看资源再看问题",
        "金华里新居民之家",
        "新居民融入的项目。",
        "居民是社区的主人。",
        "打印讲义",
    ):
        assert text in html, text
    assert html.count("<h1") == 1


def test_course_page_never_shows_instructor_notes(client, course, admin_client):
    assert NOTES not in client.get(course.url).content.decode()
    # Not even for an editor: the notes live in the admin and the facilitator handout.
    html = admin_client.get(course.url).content.decode()
    assert NOTES not in html and "讲师版讲义" in html


def test_timetable_and_overflow_warning_in_chinese(client, course):
    # The fixture's day is 09:00–12:00 and planned for one day: 150 + 45 minutes need two days.
    html = client.get(course.url).content.decode()
    assert "课程表" in html and "09:00–11:30" in html and "第2天" in html
    assert "第2单元“撰写项目申请”排到了第2天，超出了计划的1天" in html
    assert 'role="alert"' in html


def test_a_module_longer_than_a_day_is_reported(client, course):
    course.day_end = course.day_start.replace(hour=11)  # a two-hour day: module 1 is 150 minutes
    course.planned_days = None
    course.save_revision().publish()
    html = client.get(course.url).content.decode()
    assert "第1单元“分析社区”长2小时30分钟，超过一天可用的2小时，排不进一天" in html


@pytest.mark.parametrize("kind", ["case", "principle", "policy"])
def test_linked_pages_list_the_courses_that_use_them(client, course, linked_pages, kind):
    target = linked_pages[kind]
    assert list(target.linked_courses) == [course]
    assert "参与式培训" in client.get(target.url).content.decode()


def test_unpublished_course_is_not_listed_on_linked_pages(course, linked_pages):
    course.unpublish()
    assert list(linked_pages["case"].linked_courses) == []
