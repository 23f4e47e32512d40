"""Timetable arithmetic (kb/courses/timetable.py): pure functions, no database."""

import datetime

import pytest

from kb.courses.timetable import (
    BREAK,
    LUNCH,
    MODULE,
    Rules,
    as_time,
    build_timetable,
    format_time,
    parse_time,
)


def layout(table):
    """[(day, kind, "start-end", module index)] for compact assertions."""
    return [
        (day.number, slot.kind, f"{slot.start_display}-{slot.end_display}", slot.index)
        for day in table.days
        for slot in day.slots
    ]


@pytest.mark.parametrize(
    ("value", "minutes"),
    [("09:00", 540), ("9:30", 570), ("17：05", 1025), (datetime.time(12, 15), 735), (540, 540), (None, None)],
)
def test_times_parse_from_text_time_objects_and_yaml_numbers(value, minutes):
    assert parse_time(value) == minutes


@pytest.mark.parametrize("value", ["9", "25:00", "09:60", "中午", True])
def test_bad_times_are_refused_in_chinese(value):
    with pytest.raises(ValueError):
        parse_time(value)


def test_format_time_pads_hours():
    assert format_time(545) == "09:05" and format_time(24 * 60 + 30) == "24:30"


def test_rules_refuse_a_day_that_ends_before_it_starts():
    with pytest.raises(ValueError):
        Rules(day_start=600, day_end=540)


def test_modules_follow_each_other_with_a_break_after_a_long_block():
    rules = Rules(day_start=540, day_end=1020, lunch_start=None, break_minutes=15, break_after=90)
    table = build_timetable([60, 40, 30], rules)
    assert layout(table) == [
        (1, MODULE, "09:00-10:00", 0),
        (1, MODULE, "10:00-10:40", 1),  # 60 < 90: no break yet
        (1, BREAK, "10:40-10:55", None),  # 100 >= 90 minutes without a pause
        (1, MODULE, "10:55-11:25", 2),
    ]
    assert not table.has_overflow
    assert table.days[0].teaching_minutes == 130


def test_lunch_goes_in_the_gap_closest_to_lunch_time_and_never_cuts_a_module():
    rules = Rules(day_start=540, day_end=1020, lunch_start=720, lunch_minutes=60, break_minutes=0)
    # After 150 minutes it is 11:30; the next module would end at 15:00. 11:30 is closer to 12:00.
    assert layout(build_timetable([150, 210], rules)) == [
        (1, MODULE, "09:00-11:30", 0),
        (1, LUNCH, "11:30-12:30", None),
        (1, MODULE, "12:30-16:00", 1),
    ]
    # After 120 minutes it is 11:00; the next module ends at 12:15, closer to 12:00 than 11:00 is.
    assert layout(build_timetable([120, 75, 30], rules)) == [
        (1, MODULE, "09:00-11:00", 0),
        (1, MODULE, "11:00-12:15", 1),
        (1, LUNCH, "12:15-13:15", None),
        (1, MODULE, "13:15-13:45", 2),
    ]


def test_lunch_replaces_a_due_break_and_a_short_morning_has_no_lunch():
    rules = Rules(
        day_start=540, day_end=1020, lunch_start=720, lunch_minutes=60, break_minutes=15, break_after=90
    )
    kinds = [kind for _, kind, _, _ in layout(build_timetable([180, 60], rules))]
    assert kinds == [MODULE, LUNCH, MODULE]
    assert LUNCH not in [kind for _, kind, _, _ in layout(build_timetable([60, 60], rules))]


def test_a_module_that_does_not_fit_the_rest_of_the_day_starts_the_next_day():
    rules = Rules(day_start=540, day_end=720, lunch_start=None, break_minutes=0)  # three hours a day
    table = build_timetable([120, 90, 60], rules)
    assert layout(table) == [
        (1, MODULE, "09:00-11:00", 0),
        (2, MODULE, "09:00-10:30", 1),  # never split across days
        (2, MODULE, "10:30-11:30", 2),
    ]
    assert table.day_count == 2 and not table.problems


def test_a_module_longer_than_a_day_is_flagged_and_kept_whole_on_a_day_of_its_own():
    rules = Rules(day_start=540, day_end=720, lunch_start=None, break_minutes=0)
    table = build_timetable([60, 240, 30], rules)
    assert layout(table) == [
        (1, MODULE, "09:00-10:00", 0),
        (2, MODULE, "09:00-13:00", 1),
        (3, MODULE, "09:00-09:30", 2),
    ]
    assert [(p.kind, p.index, p.minutes, p.day) for p in table.problems] == [("too_long", 1, 240, 2)]
    assert table.days[1].slots[0].overflow


def test_modules_past_the_planned_days_are_flagged():
    rules = Rules(day_start=540, day_end=720, lunch_start=None, break_minutes=0, planned_days=1)
    table = build_timetable([120, 90, 60], rules)
    assert [(p.kind, p.index, p.day) for p in table.problems] == [
        ("past_planned_days", 1, 2),
        ("past_planned_days", 2, 2),
    ]
    assert table.has_overflow
    assert build_timetable([120], rules).problems == []


def test_the_qingyuan_two_day_course_fits_two_days_with_lunch_and_breaks():
    table = build_timetable([150, 210, 120, 60, 90, 90], Rules(planned_days=2))
    assert table.day_count == 2 and not table.problems
    assert [day.teaching_minutes for day in table.days] == [360, 360]
    assert layout(table)[-1] == (2, MODULE, "15:00-16:30", 5)


def test_no_modules_no_days():
    assert build_timetable([]).days == []


@pytest.mark.parametrize("name", ["day_start", "day_end", "lunch_start"])
def test_timetable_defaults_pass_system_checks_at_their_own_time_of_day(name, monkeypatch):
    """A fixed time default trips fields.W161 within ten seconds of that time of day,
    which failed `check --deploy` (and CI) at 09:00 sharp."""
    from django.db.models import fields

    from kb.courses.models import CoursePage

    field = CoursePage._meta.get_field(name)
    assert field.get_default() == as_time(getattr(Rules, name))
    at_default = datetime.datetime.combine(datetime.date.today(), field.get_default())
    monkeypatch.setattr(fields, "_get_naive_now", lambda: at_default)
    assert [message.id for message in field.check()] == []
