import re
from typing import NamedTuple

from django.core.validators import RegexValidator
from django.db import models

PARTIAL_DATE_RE = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?$")


def format_partial_date(value):
    """2006 → 2006年, 2006-04 → 2006年4月, 2006-04-09 → 2006年4月9日."""
    match = PARTIAL_DATE_RE.match(value or "")
    if not match:
        return value or ""
    year, month, day = match.groups()
    text = f"{year}年"
    if month:
        text += f"{int(month)}月"
    if day:
        text += f"{int(day)}日"
    return text


class ReaderDate(NamedTuple):
    """The date a reader dates a page by, as each page type defines it (`reader_date`).

    `date` is ISO and possibly partial (2018, 2018-06, 2018-06-01), what "newest" orders by;
    `label` the text shown with the page, saying what the date is: "2015年起", "发布日期：2018年6月".
    Both are empty for a page that no date describes (a principle, a course).
    """

    date: str = ""
    label: str = ""


UNDATED = ReaderDate()


class PartialDateField(models.CharField):
    """A date known only to the year or month as often as to the day.

    Stored as ISO text (2006, 2006-04, 2006-04-09) so the known precision is kept, nothing is
    invented, and text order is date order.
    """

    default_validators = [RegexValidator(PARTIAL_DATE_RE, "日期格式应为 YYYY、YYYY-MM 或 YYYY-MM-DD。")]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)
