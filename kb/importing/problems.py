"""How the importer reports what is wrong: one Problem per file, field and message."""

import datetime
import difflib
from dataclasses import dataclass

INTERNAL_ERROR = "导入这个文件时发生内部错误，没有写入任何内容。请把文件发给网站管理员。"


@dataclass(frozen=True)
class Problem:
    file: str
    field: str
    message: str

    def __str__(self):
        where = f"{self.file}: {self.field}" if self.field else self.file
        return f"{where}: {self.message}"


class ImportFailed(Exception):
    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def nearest(value, candidates, limit=3):
    """Known values closest to a mistyped one: containment first, then similarity."""
    value = str(value)
    containing = [c for c in candidates if value in c or c in value]
    similar = difflib.get_close_matches(value, candidates, n=limit, cutoff=0.4)
    return list(dict.fromkeys(containing + similar))[:limit]


def suggestion(value, candidates):
    close = nearest(value, candidates)
    return f"最接近的有：{'、'.join(close)}。" if close else ""


def shown(value, limit=40):
    """A value as quoted in a message, cut short: a hostile file must not make huge messages."""
    text = str(value)
    return text if len(text) <= limit else f"{text[:limit]}…"


def type_name(value):
    """What a YAML value is, in the words of a message (“应为文本，而不是列表”)."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "数字"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return "日期"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, dict):
        return "映射"
    return "空值" if value is None else "文本"
