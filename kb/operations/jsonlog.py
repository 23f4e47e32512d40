"""Log records as JSON lines on stdout, for production (one object per line, UTF-8).

Any log collector can read them without a pattern: `time`, `level`, `logger`, `message`, the
request's method, path and status where Django or gunicorn provide them, and the traceback.
"""

import json
import logging
from datetime import UTC, datetime

# gunicorn passes its access-log atoms as the record's arguments (a dict).
ACCESS_FIELDS = {"m": "method", "U": "path", "q": "query", "s": "status", "B": "bytes", "a": "user_agent"}


class JsonLinesFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            atoms = record.args
            entry.update({field: atoms.get(atom) for atom, field in ACCESS_FIELDS.items()})
            if "D" in atoms:
                entry["duration_ms"] = round(int(atoms["D"]) / 1000, 1)
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "method"):
            entry.update(method=request.method, path=request.path)
        status_code = getattr(record, "status_code", None)
        if status_code is not None:
            entry["status"] = status_code
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
