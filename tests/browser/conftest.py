"""Real-browser tests: Debian's chromium driven by Playwright against pytest-django's live server.

Every test under tests/browser is marked `browser` (run them alone with `pytest -m browser`, leave
them out with `-m "not browser"`). The live server answers from its own thread, so these tests use
a transactional database: pages a test publishes are committed and the server sees them; after the
test Django flushes the tables and restores what the migrations created (serialized rollback: the
seeded vocabularies, Wagtail's root page and locale), so each test publishes the pages it needs.

Fixtures: `browser` (one chromium for all of them), `page` (a fresh zh-CN context per test, JavaScript on),
`new_page(**context_options)` (more pages, e.g. `java_script_enabled=False`), and `server_url`
(the live server's base URL; request it in every browser test that loads the site).
"""

import os
import threading
import time
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; never Playwright's own download
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000  # the machines running the suite are small and shared
REQUESTS_TIMEOUT_S = 30  # for the server to finish what a closed page had asked
HERE = Path(__file__).parent


def _is_browser_test(item):
    return item is not None and HERE in Path(item.path).parents


def pytest_collection_modifyitems(config, items):
    """Mark every browser test; give each a flushable transactional database (see the docstring)."""
    for item in items:
        if _is_browser_test(item):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


def _unavailable(reason):
    """Skip on a developer's machine; fail under CI, where .ci/run installs the browser."""
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(f"{reason} (CI is set, so the browser tests must run)", pytrace=False)
    pytest.skip(reason)


class _Chromium:
    """Playwright and one chromium, shared by the browser tests of a run.

    Playwright's sync API marks its asyncio loop as running in this thread from start to stop. While
    it is, Django refuses database calls (unless DJANGO_ALLOW_ASYNC_UNSAFE is set) and keeps a second
    set of connections (asgiref's Local switches storage), which would lack the test database's
    serialized contents. So the browser is started by the first browser test, with that variable set
    and Django's connections carried over, and stopped after the last one: pytest-django runs all
    browser tests together (transactional tests come after the others), so chromium starts once, and
    the rest of the suite (subprocesses included) sees neither the loop nor the variable.
    """

    ENV = "DJANGO_ALLOW_ASYNC_UNSAFE"

    def __init__(self):
        self.playwright = self.browser = None
        self.previous_env = None

    def start(self):
        if self.browser is not None:
            return self.browser
        if not CHROMIUM.exists():
            _unavailable(f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-cjk")
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            _unavailable('playwright is not installed: pip install -e ".[dev]" (never `playwright install`)')
        wrappers = {alias: connections[alias] for alias in connections}
        self.previous_env = os.environ.get(self.ENV)
        os.environ[self.ENV] = "true"  # the test code is synchronous; the live server has its own thread
        self.playwright = sync_playwright().start()
        try:
            self.browser = self.playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        except BaseException:
            self.stop()
            raise
        for alias, wrapper in wrappers.items():  # now stored where Django looks under a running loop
            connections[alias] = wrapper
        return self.browser

    def stop(self):
        if self.playwright is None:
            return
        try:
            if self.browser is not None:
                self.browser.close()
        finally:
            self.playwright.stop()
            self.playwright = self.browser = None
            if self.previous_env is None:
                os.environ.pop(self.ENV, None)
            else:
                os.environ[self.ENV] = self.previous_env


_chromium = _Chromium()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After the last browser test in a row (and its fixtures' teardown), stop the browser."""
    try:
        return (yield)
    finally:
        if not _is_browser_test(nextitem):
            _chromium.stop()


def pytest_sessionfinish(session, exitstatus):
    _chromium.stop()


@pytest.fixture
def browser():
    """The shared headless chromium (a playwright Browser): one per run, see _Chromium."""
    return _chromium.start()


def _request_threads(httpd):
    """The live server's threads still answering a request (socketserver's per-request threads)."""
    return [
        thread
        for thread in threading.enumerate()
        if getattr(getattr(thread, "_target", None), "__self__", None) is httpd
    ]


def _finish_requests(live_server, timeout=REQUESTS_TIMEOUT_S):
    """Wait for the requests a closed page left in flight (a page's scripts keep fetching after
    the test's last step) to end, so none runs into the flush after the test and reads a
    half-emptied database (or waits on the flush's lock)."""
    httpd = getattr(live_server.thread, "httpd", None)
    deadline = time.monotonic() + timeout
    quiet_checks = 0
    while quiet_checks < 2 and time.monotonic() < deadline:  # twice: one may just have been accepted
        threads = _request_threads(httpd) if httpd is not None else []
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        quiet_checks = 0 if threads else quiet_checks + 1
        time.sleep(0.05)


@pytest.fixture
def new_page(browser, live_server, transactional_db):
    """new_page(**context_options): a page in a fresh context (zh-CN), e.g. java_script_enabled=False.

    It depends on the live server and the database, so it is closed (and the server left idle)
    before the database is flushed."""
    contexts = []

    def make(**options):
        context = browser.new_context(**{"locale": "zh-CN", **options})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    _finish_requests(live_server)


@pytest.fixture
def page(new_page):
    """A browser page with JavaScript on, in a context of its own."""
    return new_page()


@pytest.fixture
def server_url(live_server, transactional_db, django_db_serialized_rollback):
    """The live server's base URL (e.g. "http://localhost:41234"), the database committed for it."""
    return live_server.url
