"""PDF handouts, printed by headless Chromium from the same HTML as the print view.

Why Chromium: the print view is already an A4 page (`static/css/print.css`), and Chromium lays
out Chinese text with the system's CJK fonts (fonts-noto-cjk) exactly as a trainer's browser
prints it, so the download and "打印" give the same handout. The pure-Python alternatives do not
fit as well: WeasyPrint needs Pango from the system and a second rendering of our CSS; xhtml2pdf
and fpdf2 need CJK fonts registered by hand and lay out Chinese poorly.

The HTML is rendered here, with the stylesheet inlined, and written to a temporary file that
Chromium opens from disk: no request goes back to the site, so a single-worker server cannot
deadlock and the facilitator version needs no login inside Chromium. Where Chromium is missing
(`CHROMIUM_PATH`, else `chromium-headless-shell` / `chromium` / `google-chrome` on PATH),
`PdfUnavailable` explains in Chinese, and the print view remains (browser "打印 → 另存为 PDF").

Fast and small (issue 15): Debian's `chromium-headless-shell` (the old headless mode, no full
browser behind it) is preferred, it starts in a third of the time; and the PDF's text is set in
the TrueType fonts of `kb/courses/fonts/` (a reduced Noto CJK SC, built by
`tools/build_handout_fonts.py`), which Chromium embeds as small font subsets. With the system's
Noto CJK, whose outlines are CFF, Chromium drew every glyph as a Type 3 path: 0.8–1 MB for six
pages, and copied text came out as Kangxi radicals. Figures: docs/measurements.md.

Chromium takes seconds and hundreds of MB per handout, so (issue 17):

- **A cache per handout.** Each PDF is kept in `COURSE_PDF_CACHE_DIR` under a name made of the
  page id, the variant (participant / facilitator), the live revision and a digest of the HTML
  printed. The view serves the live page to both variants, so publishing a revision gives a new
  name; the digest also changes when something the handout shows changes without a course
  revision (a linked case's title, a linked page made private, a template after a deploy), so a
  cached PDF never shows what the print view no longer does. The digest is of the HTML itself, so a
  facilitator PDF (with notes) can never be found by a participant request, whose own HTML and
  variant differ. Files are written to a temporary name and renamed (readers never see half a
  PDF), and writing one removes the older files of that page and variant. The directory is not
  under `MEDIA_ROOT`: the web server serves that to anyone, and facilitator PDFs hold notes.
- **At most `COURSE_PDF_CONCURRENCY` printed at once**, across threads and gunicorn workers: a
  printer holds an exclusive `flock` on one of N slot files in the cache directory. The kernel
  drops the lock when the file is closed or its process dies, so a crash, a timeout or a killed
  worker never leaks a slot (a database row would need a transaction held open for seconds, and
  SQLite has no row locks). Chromium runs in its own process group, killed whole on timeout, and
  does not inherit the slot's descriptor. With every slot taken the view answers 503 with
  `Retry-After` and the print view; a cached PDF needs no slot. Requests for a handout that is
  being printed wait for that printing (a lock per page and variant) rather than print it again.
"""

import contextlib
import fcntl
import hashlib
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

STYLESHEET = "css/print.css"
FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FACES = [
    # (family, weight, file): what print.css names first. Every weight the handout uses has its
    # face: a weight Chromium synthesises is drawn as Type 3 glyphs again.
    ("KB Handout Sans", 400, "KBHandoutSans-Regular.ttf"),
    ("KB Handout Sans", 700, "KBHandoutSans-Bold.ttf"),
    ("KB Handout Serif", 400, "KBHandoutSerif-Regular.ttf"),
    ("KB Handout Serif", 700, "KBHandoutSerif-Bold.ttf"),
]
CANDIDATES = (
    "chromium-headless-shell",
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
)
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--hide-scrollbars",
    "--no-pdf-header-footer",
]


VARIANTS = ("participant", "facilitator")
RETRY_AFTER_SECONDS = 10  # about two printings: when a slot is likely free again
STALE_TEMPORARY_SECONDS = 3600  # a temporary file this old was left by a process that died


class PdfUnavailable(Exception):
    """No PDF this time; the message, in Chinese, is shown with a link to the print view."""

    retry_after = None


class PdfBusy(PdfUnavailable):
    """Every printing slot is taken: try again shortly, or print from the browser."""

    retry_after = RETRY_AFTER_SECONDS


def chromium_path():
    configured = getattr(settings, "CHROMIUM_PATH", None) or os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def timeout_seconds():
    return int(getattr(settings, "COURSE_PDF_TIMEOUT", os.environ.get("COURSE_PDF_TIMEOUT", 60)))


def cache_dir():
    return Path(settings.COURSE_PDF_CACHE_DIR)


def concurrency():
    return max(1, int(settings.COURSE_PDF_CONCURRENCY))


def inline_stylesheet():
    path = finders.find(STYLESHEET)
    if path:
        return Path(path).read_text(encoding="utf-8")
    from django.contrib.staticfiles.storage import staticfiles_storage

    with staticfiles_storage.open(STYLESHEET) as handle:
        return handle.read().decode("utf-8")


def font_faces():
    """@font-face rules for the handout fonts, read by Chromium from disk (the handout is opened
    from a file too). A face whose file is missing is left out: the system font takes over."""
    rules = []
    for family, weight, name in FONT_FACES:
        path = FONT_DIR / name
        if path.is_file():
            rules.append(
                f'@font-face {{ font-family: "{family}"; font-weight: {weight}; font-style: normal; '
                f'src: url("{path.as_uri()}") format("truetype"); }}'
            )
    return "\n".join(rules)


def html_to_pdf(html):
    """PDF bytes of a self-contained HTML document, printed on A4 by headless Chromium."""
    executable = chromium_path()
    if not executable:
        raise PdfUnavailable(
            "服务器上没有安装 Chromium 浏览器，暂时无法生成 PDF。"
            "请打开打印版讲义，用浏览器的“打印 → 另存为 PDF”保存。"
        )
    with tempfile.TemporaryDirectory(prefix="kb-course-pdf-") as directory:
        source = Path(directory) / "handout.html"
        target = Path(directory) / "handout.pdf"
        source.write_text(html, encoding="utf-8")
        command = [
            executable,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={Path(directory) / 'profile'}",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        run_chromium(command, directory)
        if not target.exists() or target.stat().st_size == 0:
            raise PdfUnavailable("Chromium 没有生成 PDF，请稍后再试，或使用打印版讲义。")
        return target.read_bytes()


def run_chromium(command, directory):
    """Run Chromium in a process group of its own and kill the whole group when it is done or too
    slow: its renderer and GPU helpers never outlive the request."""
    try:
        process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=directory,
            start_new_session=True,
        )
    except OSError as error:
        raise PdfUnavailable(f"无法启动 Chromium（{error.strerror or error}），请使用打印版讲义。") from None
    try:
        process.wait(timeout=timeout_seconds())
    except subprocess.TimeoutExpired:
        raise PdfUnavailable("生成 PDF 超时，请稍后再试，或使用打印版讲义。") from None
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextlib.contextmanager
def printing_slot():
    """Hold one of the `COURSE_PDF_CONCURRENCY` slots shared by every thread and process, or raise
    PdfBusy. A slot is an exclusive flock on `slots/N.lock`; closing the file (or the death of
    the process) releases it."""
    directory = cache_dir() / "slots"
    directory.mkdir(parents=True, exist_ok=True)
    for number in range(concurrency()):
        descriptor = os.open(directory / f"{number}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            continue
        try:
            yield number
        finally:
            os.close(descriptor)  # releases the lock
        return
    raise PdfBusy(
        "现在同时生成 PDF 的请求太多，请过几秒钟再试，或打开打印版讲义，用浏览器的“打印 → 另存为 PDF”保存。"
    )


def cache_prefix(page, variant):
    return f"course-{page.pk}-{variant}-"


def cache_path(page, variant, html):
    """Where this handout's PDF is kept: page, variant, live revision and the HTML's digest."""
    digest = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32]
    revision = page.live_revision_id or 0
    return cache_dir() / f"{cache_prefix(page, variant)}r{revision}-{digest}.pdf"


def read_cached(path):
    try:
        return path.read_bytes()
    except OSError:  # not printed yet (or pruned just now, or unreadable: then printing says why)
        return None


def store(path, data, page, variant):
    """Write the PDF under a temporary name, rename it into place, then remove the page's older
    PDFs of this variant (and temporary files left by processes that died)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    prefix = cache_prefix(page, variant)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{prefix}", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    for old in path.parent.glob(f"{prefix}*.pdf"):
        if old != path:
            old.unlink(missing_ok=True)
    stale = time.time() - STALE_TEMPORARY_SECONDS
    for left in path.parent.glob(f".{prefix}*.tmp"):
        with contextlib.suppress(FileNotFoundError):
            if left.stat().st_mtime < stale:
                left.unlink()


def handout_pdf(request, page, context, variant):
    """The handout (participant or facilitator version, as `context` says) as PDF bytes: from the
    cache when this exact handout was printed before, else printed in a slot and cached."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown handout variant {variant!r}")
    context = {
        **context,
        "for_pdf": True,
        "inline_css": inline_stylesheet(),
        "font_faces": font_faces(),
        "base_url": request.build_absolute_uri("/"),
    }
    html = render_to_string("courses/course_handout.html", context, request=request)
    path = cache_path(page, variant, html)
    data = read_cached(path)
    if data is not None:
        return data
    try:
        return print_once(html, path, page, variant)
    except OSError as error:  # e.g. the cache directory, where locks and slots live, is not writable
        logger.error("course PDF not printed (cache directory %s): %s", cache_dir(), error)
        raise PdfUnavailable("服务器暂时无法生成 PDF，请使用打印版讲义。") from None


def print_once(html, path, page, variant):
    """Print `html` into `path`, once however many requests ask for it at the same time."""
    with handout_lock(page, variant) as waited:
        data = read_cached(path)  # printed by the request this one waited for
        if data is not None:
            return data
        if waited:  # that printing failed: do not queue another behind it
            raise PdfBusy("这份讲义的 PDF 刚才没有生成成功，请稍后再试，或使用打印版讲义。")
        with printing_slot():
            data = html_to_pdf(html)
            store(path, data, page, variant)
    return data


@contextlib.contextmanager
def handout_lock(page, variant):
    """One printing per page and variant at a time: a request that finds this handout being
    printed waits for that printing (bounded by its timeout) and serves its result, instead of
    starting a second Chromium on the same HTML. Yields whether it had to wait."""
    directory = cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(directory / f"{cache_prefix(page, variant)}lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            waited = False
        except BlockingIOError:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            waited = True
        yield waited
    finally:
        os.close(descriptor)
