"""`make run` from a fresh copy of the repository: installs, migrates, loads content, serves.

The copy holds exactly what a clone would (tracked and new, non-ignored files), so this checks
the promise of INTERFACES.md §1 on the working tree, before it is committed too.
"""

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 900  # seconds: a first run installs every dependency into a new virtualenv

pytestmark = pytest.mark.slow


def fresh_copy(destination):
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (entry.decode() for entry in listed)):
        source = ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()


class MakeRun:
    def __init__(self, directory, log):
        self.directory = directory
        self.port = free_port()
        self.log = log
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "VIRTUAL_ENV", "PYTEST"))}
        env.update(PORT=str(self.port), ELASTICSEARCH_URL="")
        self.process = subprocess.Popen(
            ["make", "run"],
            cwd=directory,
            env=env,
            stdout=log.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_for_home(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(
                    f"make run exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}"
                )
            try:
                return fetch(f"http://127.0.0.1:{self.port}/")
            except OSError:
                time.sleep(1)
        pytest.fail(f"the site did not answer within {START_TIMEOUT}s:\n{self.log.read_text()[-3000:]}")

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


def test_make_run_serves_the_demo_site_and_a_second_run_keeps_edits(tmp_path):
    if shutil.which("make") is None or shutil.which("git") is None:
        pytest.fail("make and git are needed (.ci/run installs them)")
    copy = fresh_copy(tmp_path / "kb")
    log = tmp_path / "make-run.log"

    first = MakeRun(copy, log)
    try:
        status, html = first.wait_for_home()
        assert status == 200
        for path in ("/cases/", "/policies/", "/principles/", "/courses/", "/search/"):
            assert f'href="{path}' in html, path
        status, cases = fetch(f"http://127.0.0.1:{first.port}/cases/")
        assert status == 200 and "铲屎官小队" in cases
    finally:
        first.stop()

    python = copy / ".venv" / "bin" / "python"
    edit = (
        "from kb.cases.models import CasePage;"
        "p = CasePage.objects.get(slug='pet-contest-poop-squad');"
        "p.summary = '编辑改过的摘要'; p.save_revision().publish()"
    )
    subprocess.run(
        [python, "manage.py", "shell", "-c", edit],
        cwd=copy,
        check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "kb.settings.dev"},
    )

    second = MakeRun(copy, log)
    try:
        status, _ = second.wait_for_home()
        assert status == 200
        _, page = fetch(f"http://127.0.0.1:{second.port}/cases/pet-contest-poop-squad/")
        assert "编辑改过的摘要" in page
    finally:
        second.stop()
    assert "站点已有内容，跳过示例内容导入" in log.read_text()
