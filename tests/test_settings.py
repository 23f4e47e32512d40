"""Production settings refuse to start without their secrets; development works with none."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "x" * 60}, "ALLOWED_HOSTS must be set"),
    ],
)
def test_production_refuses_to_start_without_secrets(env, message):
    result = manage("check", DJANGO_SETTINGS_MODULE="kb.settings.production", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_check_deploy_passes_when_configured(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="kb.settings.production",
        SECRET_KEY="a-long-random-production-key-" + "k3y" * 20,
        ALLOWED_HOSTS="kb.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_database_url_selects_postgresql():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])",
        DATABASE_URL="postgres://kb@127.0.0.1:5432/kb",
    )
    assert result.stdout.strip().endswith("django.db.backends.postgresql"), result.stderr
