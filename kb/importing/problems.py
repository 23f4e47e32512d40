"""How the importer reports what is wrong: one Problem per file, field and message."""

import difflib
from dataclasses import dataclass


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
