"""`make run`'s server (runserver) warms the search up before it takes requests, as gunicorn's
workers do (tests/operations/test_serve.py), and still serves searches and static files."""

import subprocess
import sys
import time
import urllib.request

import pytest
from django.db import connection

from .helpers import ROOT, clean_env, free_port


# Committed tables, which the server process reads; the migrations' data restored afterwards.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_runserver_warms_the_search_up_before_it_serves():
    if connection.vendor != "sqlite":
        pytest.skip("the server process opens the test database by its file")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=clean_env(
            DJANGO_SETTINGS_MODULE="kb.settings.dev",
            DATABASE_URL=f"sqlite:///{connection.settings_dict['NAME']}",
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
                    assert response.status == 200
                break
            except OSError:
                time.sleep(0.25)
        with urllib.request.urlopen(f"{base}/api/search/?q=zzqqxx", timeout=10) as response:
            assert response.status == 200
        with urllib.request.urlopen(f"{base}/static/css/site.css", timeout=10) as response:
            assert response.status == 200
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "Warm-up failed" not in output, output
    warmed = output.find("Warmed up for the first request in")
    assert 0 <= warmed < output.find("Starting development server"), output
