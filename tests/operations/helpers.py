import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "kb.settings.production",
    "SECRET_KEY": "a-long-random-production-key-" + "k3y" * 20,
    "ALLOWED_HOSTS": "127.0.0.1,testserver",
    "SECURE_SSL_REDIRECT": "0",
}


def clean_env(**env):
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST")) and k != "SECRET_KEY"
    }
    return {**base, **env}


def manage(*args, timeout=120, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
