"""`make serve`'s server: gunicorn with the production settings serves a page and a static file.

Starts gunicorn exactly as `make serve` does (kb/operations/gunicorn_conf.py) on a fresh SQLite
database after migrate and collectstatic; slow because a fresh database is migrated.
"""

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .helpers import PRODUCTION_ENV, ROOT, clean_env, free_port, manage

pytestmark = pytest.mark.slow


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def served(tmp_path):
    port = free_port()
    env = {
        **PRODUCTION_ENV,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PORT": str(port),
        "GUNICORN_WORKERS": "2",
    }
    for step in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        result = manage(*step, timeout=600, **env)
        assert result.returncode == 0, result.stderr
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--config", "python:kb.operations.gunicorn_conf"],
        cwd=ROOT,
        env=clean_env(**env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                get(f"{base}/healthz")
                break
            except OSError:
                time.sleep(0.5)
        yield base, tmp_path
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_gunicorn_serves_pages_static_files_and_json_logs(served):
    base, tmp_path = served
    status, headers, body = get(f"{base}/healthz")
    assert status == 200
    assert headers["Server"] == "gunicorn"
    assert json.loads(body)["database"] == "ok"
    status, _, body = get(f"{base}/search/?q=停车".replace("停车", "%E5%81%9C%E8%BD%A6"))
    assert status == 200
    page = body.decode()
    assert "<html" in page
    stylesheet = page.split('href="/static/css/site.', 1)[1].split('"', 1)[0]
    request = urllib.request.Request(
        f"{base}/static/css/site.{stylesheet}", headers={"Accept-Encoding": "gzip"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        assert response.headers["Content-Encoding"] == "gzip"
        assert "immutable" in response.headers["Cache-Control"]
    lines = (tmp_path / "gunicorn.log").read_text().splitlines()
    access = [json.loads(line) for line in lines if '"gunicorn.access"' in line]
    assert any(entry["path"] == "/search/" and entry["status"] == "200" for entry in access)
    # Each worker loads the facet bitmaps and analysis tables before its first request (the
    # second may still be starting when the first answers).
    for _ in range(60):
        lines = (tmp_path / "gunicorn.log").read_text().splitlines()
        if sum("Warmed up for the first request in" in line for line in lines) >= 2:
            break
        time.sleep(0.5)
    assert sum("Warmed up for the first request in" in line for line in lines) == 2, lines
    assert not any("Warm-up failed" in line for line in lines)
