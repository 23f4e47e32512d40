"""Course files: module keys for the builder, timetable settings, the module library."""

import datetime

import pytest

from kb.courses.models import CoursePage, ModuleTemplate
from kb.importing.problems import ImportFailed
from kb.importing.reading import collect_files
from kb.importing.writing import import_files


def course(**extra):
    meta = {
        "type": "course",
        "title": "议事入门",
        "slug": "yishi",
        "duration_hours": 2.5,
        "modules": [
            {
                "title": "议事规则",
                "minutes": 90,
                "exercise_minutes": 60,
                "questions": ["谁来议？", "怎么议？"],
                "key_points": ["先程序后结论"],
                "instructor_notes": "提前准备角色卡。",
                "library": True,
            },
            {"title": "模拟议事", "minutes": 60},
        ],
    }
    meta.update(extra)
    return meta


def run(path):
    return import_files(collect_files([path]), publish=True)


def test_module_fields_timetable_and_library_are_imported(home, write_md):
    path = write_md(
        "yishi.md",
        course(timetable={"day_start": "13:30", "day_end": "18:00", "lunch_start": None, "days": 1}),
    )
    run(path)
    page = CoursePage.objects.get(slug="yishi")
    first, second = page.modules.all()
    assert (first.exercise_minutes, first.questions, first.key_points) == (
        60,
        "谁来议？\n怎么议？",
        "先程序后结论",
    )
    assert first.instructor_notes == "提前准备角色卡。"
    assert (page.day_start, page.day_end, page.lunch_start, page.planned_days) == (
        datetime.time(13, 30),
        datetime.time(18, 0),
        None,
        1,
    )
    template = ModuleTemplate.objects.get(title="议事规则")
    assert first.library_module == template and template.instructor_notes == "提前准备角色卡。"
    assert second.library_module is None
    # Importing again updates the library entry rather than adding one.
    run(path)
    assert ModuleTemplate.objects.count() == 1


def test_unquoted_yaml_times_are_read_as_times(home, write_md):
    text = (
        "---\ntype: course\ntitle: 晚课\nslug: wanke\n"
        "timetable: {day_start: 9:30, day_end: 17:00}\n"
        "modules:\n  - {title: 一, minutes: 30}\n---\n正文\n"
    )
    run(write_md("wanke.md", text))
    page = CoursePage.objects.get(slug="wanke")
    assert (page.day_start, page.day_end, page.lunch_start) == (
        datetime.time(9, 30),
        datetime.time(17, 0),
        datetime.time(12, 0),
    )


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"timetable": {"day_start": "18:00", "day_end": "09:00"}}, "timetable", "结束时间必须晚于开始时间"),
        ({"timetable": {"day_start": "九点"}}, "timetable.day_start", "格式不对"),
        ({"timetable": {"lunch_start": "20:00"}}, "timetable.lunch_start", "午餐时间应在"),
        ({"timetable": {"start": "09:00"}}, "timetable.start", "不认识的键"),
        ({"timetable": {"days": 0}}, "timetable.days", "应在"),
    ],
)
def test_bad_timetables_are_rejected(home, write_md, extra, field, message):
    with pytest.raises(ImportFailed) as excinfo:
        run(write_md("bad.md", course(**extra)))
    problems = [(p.field, p.message) for p in excinfo.value.problems]
    assert any(f == field and message in m for f, m in problems), problems


def test_exercise_longer_than_module_is_rejected(home, write_md):
    meta = course()
    meta["modules"][1]["exercise_minutes"] = 61
    with pytest.raises(ImportFailed) as excinfo:
        run(write_md("bad.md", meta))
    assert [p.field for p in excinfo.value.problems] == ["modules[2].exercise_minutes"]


def test_two_files_cannot_put_the_same_title_in_the_library(home, write_md):
    write_md("a.md", course())
    write_md("b.md", course(title="另一门", slug="other"))
    with pytest.raises(ImportFailed) as excinfo:
        import_files(collect_files([str(write_md("a.md", course()).parent)]))
    assert any("模块库中的名称不能重复" in p.message for p in excinfo.value.problems)
