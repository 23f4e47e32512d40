"""Lay a course's modules out on days: pure arithmetic, no database (see `build_timetable`).

The rules, the same ones the course page states in Chinese (`rules_text`):

1. Every day runs from `day_start` to `day_end`. Modules follow each other in course order and
   are never split: a module that does not fit in what is left of a day starts the next day.
2. Short break: after `break_after` or more minutes of teaching without a pause, a break of
   `break_minutes` comes before the next module.
3. Lunch: `lunch_minutes` long, taken once a day in the gap between two modules that lies
   closest to `lunch_start` (a module is never cut by lunch). Lunch also counts as a pause.
   No lunch is taken on a day whose modules are over before `lunch_start`.
4. A module longer than a whole day can never fit: it is placed alone on a day of its own, runs
   past the day's end and is reported. When `planned_days` is set and the modules need more
   days, the modules that spill over are reported too.

Times are minutes after midnight (`parse_time` / `format_time` convert "09:00").
"""

import datetime
from dataclasses import dataclass, field

MODULE, BREAK, LUNCH = "module", "break", "lunch"


def parse_time(value):
    """Minutes after midnight from "9:00", "09:30", a `datetime.time` or an int (already minutes)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.time):
        return value.hour * 60 + value.minute
    if isinstance(value, bool):
        raise ValueError(f"不是时间：{value!r}")
    if isinstance(value, int):
        minutes = value
    else:
        text = str(value).strip().replace("：", ":")
        hours, sep, rest = text.partition(":")
        if not sep or not hours.isdigit() or not rest.isdigit() or len(rest) != 2:
            raise ValueError(f"时间“{value}”格式不对，应为“时:分”，如 09:00。")
        minutes = int(hours) * 60 + int(rest)
        if int(rest) >= 60:
            raise ValueError(f"时间“{value}”不存在。")
    if not 0 <= minutes < 24 * 60:
        raise ValueError(f"时间“{value}”不在一天之内。")
    return minutes


def format_time(minutes):
    """ "09:05" for 545; times past midnight keep counting hours ("24:30") rather than wrap."""
    hours, rest = divmod(int(minutes), 60)
    return f"{hours:02d}:{rest:02d}"


def as_time(minutes):
    return datetime.time(*divmod(minutes, 60))


# Model field defaults are functions, not fixed times: Django's fields.W161 check
# warns about a fixed time default whenever it runs within ten seconds of that
# time of day, which failed `check --deploy` at 09:00 sharp.
def default_day_start():
    return as_time(Rules.day_start)


def default_day_end():
    return as_time(Rules.day_end)


def default_lunch_start():
    return as_time(Rules.lunch_start)


@dataclass(frozen=True)
class Rules:
    day_start: int = 9 * 60
    day_end: int = 17 * 60
    lunch_start: int | None = 12 * 60
    lunch_minutes: int = 60
    break_minutes: int = 15
    break_after: int = 90
    planned_days: int | None = None

    def __post_init__(self):
        if self.day_end <= self.day_start:
            raise ValueError("每天结束时间必须晚于开始时间。")
        for name in ("lunch_minutes", "break_minutes", "break_after"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} 不能为负数。")

    @property
    def day_minutes(self):
        """Minutes from the start to the end of a day, lunch and breaks included."""
        return self.day_end - self.day_start

    @property
    def has_lunch(self):
        return self.lunch_start is not None and self.lunch_minutes > 0

    @property
    def has_breaks(self):
        return self.break_minutes > 0 and self.break_after > 0


@dataclass
class Slot:
    kind: str  # MODULE, BREAK or LUNCH
    start: int
    end: int
    index: int | None = None  # position of the module in the course, from 0
    overflow: bool = False  # the module runs past the day's end or past the planned days

    @property
    def minutes(self):
        return self.end - self.start

    @property
    def start_display(self):
        return format_time(self.start)

    @property
    def end_display(self):
        return format_time(self.end)


@dataclass
class Day:
    number: int  # from 1
    slots: list = field(default_factory=list)

    @property
    def start(self):
        return self.slots[0].start if self.slots else None

    @property
    def end(self):
        return self.slots[-1].end if self.slots else None

    @property
    def teaching_minutes(self):
        return sum(slot.minutes for slot in self.slots if slot.kind == MODULE)


@dataclass
class Problem:
    kind: str  # "too_long" (longer than a day) or "past_planned_days"
    index: int  # module position, from 0
    minutes: int
    day: int


@dataclass
class Timetable:
    rules: Rules
    days: list
    problems: list

    @property
    def day_count(self):
        return len(self.days)

    @property
    def has_overflow(self):
        return bool(self.problems)

    def module_slots(self):
        """{module index: (day number, Slot)}."""
        return {
            slot.index: (day.number, slot) for day in self.days for slot in day.slots if slot.kind == MODULE
        }


def build_timetable(durations, rules=None):
    """The timetable for modules of the given lengths in minutes, in course order."""
    rules = rules or Rules()
    days, problems = [], []
    day = None
    t = since_pause = 0
    lunch_pending = False

    def new_day():
        nonlocal day, t, since_pause, lunch_pending
        day = Day(number=len(days) + 1)
        days.append(day)
        t, since_pause, lunch_pending = rules.day_start, 0, rules.has_lunch

    for index, minutes in enumerate(durations):
        minutes = max(int(minutes or 0), 0)
        if day is None:
            new_day()
        pauses = plan_gap(rules, t, since_pause, lunch_pending, minutes, first=not day.slots)
        end = pauses[-1][2] + minutes if pauses else t + minutes
        if day.slots and end > rules.day_end:
            new_day()
            pauses = plan_gap(rules, t, since_pause, lunch_pending, minutes, first=True)
            end = pauses[-1][2] + minutes if pauses else t + minutes
        for kind, start, stop in pauses:
            day.slots.append(Slot(kind, start, stop))
            since_pause = 0
            if kind == LUNCH:
                lunch_pending = False
            t = stop
        too_long = end > rules.day_end  # only possible when it is alone on its day
        day.slots.append(Slot(MODULE, t, end, index=index, overflow=too_long))
        if too_long:
            problems.append(Problem("too_long", index, minutes, day.number))
        t, since_pause = end, since_pause + minutes

    if rules.planned_days:
        for day in days[rules.planned_days :]:
            for slot in day.slots:
                if slot.kind == MODULE and not slot.overflow:
                    slot.overflow = True
                    problems.append(Problem("past_planned_days", slot.index, slot.minutes, day.number))
    problems.sort(key=lambda problem: problem.index)
    return Timetable(rules, days, problems)


def plan_gap(rules, t, since_pause, lunch_pending, minutes, first):
    """The pauses [(kind, start, end)] to take at time `t`, before a module of `minutes`.

    Lunch goes here when it is already past lunch time, or when the module would run into
    lunch time and this gap is closer to it than the gap after the module would be.
    """
    if first:  # the day's first module starts the day: no pause before it
        return []
    break_due = rules.has_breaks and since_pause >= rules.break_after
    start = t + rules.break_minutes if break_due else t
    if lunch_pending:
        lunch = rules.lunch_start
        if t >= lunch or (start + minutes > lunch and lunch - t <= start + minutes - lunch):
            return [(LUNCH, t, t + rules.lunch_minutes)]
    if break_due:
        return [(BREAK, t, start)]
    return []


def rules_text(rules):
    """The rules in Chinese, for the page under the timetable."""
    parts = [f"每天 {format_time(rules.day_start)} 开始、{format_time(rules.day_end)} 结束"]
    if rules.has_lunch:
        parts.append(
            f"午餐 {rules.lunch_minutes} 分钟，安排在最接近 {format_time(rules.lunch_start)} 的两个单元之间"
        )
    if rules.has_breaks:
        parts.append(f"连续上课满 {rules.break_after} 分钟后休息 {rules.break_minutes} 分钟")
    parts.append("单元不拆开，当天排不下的单元移到第二天")
    return "；".join(parts) + "。"
