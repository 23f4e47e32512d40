"""Production settings: static files through WhiteNoise, JSON logs, loopback over plain HTTP."""

import json

from .helpers import PRODUCTION_ENV, manage

SHOW = (
    "import json; from django.conf import settings; print(json.dumps({"
    "'middleware': settings.MIDDLEWARE, 'static': settings.STORAGES['staticfiles']['BACKEND'], "
    "'redirect': settings.SECURE_SSL_REDIRECT, 'debug': settings.DEBUG, "
    "'conn_max_age': settings.DATABASES['default']['CONN_MAX_AGE']}))"
)


def production_settings(tmp_path, **env):
    result = manage(
        "shell",
        "-c",
        SHOW,
        **{**PRODUCTION_ENV, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", **env},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_static_files_are_served_compressed_by_the_application(tmp_path):
    shown = production_settings(tmp_path)
    middleware = shown["middleware"]
    assert middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") == 1  # right after security
    assert shown["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert shown["debug"] is False
    assert shown["conn_max_age"] > 0


def test_ssl_redirect_is_on_unless_turned_off_for_loopback(tmp_path):
    assert production_settings(tmp_path, SECURE_SSL_REDIRECT="1")["redirect"] is True
    assert production_settings(tmp_path)["redirect"] is False


def test_production_logs_are_json_lines_on_stdout(tmp_path):
    result = manage(
        "shell",
        "-c",
        "import logging; logging.getLogger('kb.check').warning('磁盘 %s 已满', '/var')",
        **{**PRODUCTION_ENV, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
    )
    assert result.returncode == 0, result.stderr
    entry = json.loads(result.stdout.strip().splitlines()[-1])
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "kb.check"
    assert entry["message"] == "磁盘 /var 已满"
    assert entry["time"].endswith("+00:00")


def test_json_formatter_keeps_the_traceback_and_the_request():
    import logging

    from django.test import RequestFactory

    from kb.operations.jsonlog import JsonLinesFormatter

    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error", (), sys.exc_info()
        )
    record.request = RequestFactory().get("/search/?q=x")
    record.status_code = 500
    entry = json.loads(JsonLinesFormatter().format(record))
    assert entry["path"] == "/search/"
    assert entry["method"] == "GET"
    assert entry["status"] == 500
    assert "RuntimeError: boom" in entry["exception"]
    assert "\n" not in JsonLinesFormatter().format(record)
