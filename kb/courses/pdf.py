"""PDF handouts, printed by headless Chromium from the same HTML as the print view.

Why Chromium: the print view is already an A4 page (`static/css/print.css`), and Chromium lays
out Chinese text with the system's CJK fonts (fonts-noto-cjk) exactly as a trainer's browser
prints it, so the download and "打印" give the same handout. The pure-Python alternatives do not
fit as well: WeasyPrint needs Pango from the system and a second rendering of our CSS; xhtml2pdf
and fpdf2 need CJK fonts registered by hand and lay out Chinese poorly.

The HTML is rendered here, with the stylesheet inlined, and written to a temporary file that
Chromium opens from disk: no request goes back to the site, so a single-worker server cannot
deadlock and the facilitator version needs no login inside Chromium. Where Chromium is missing
(`CHROMIUM_PATH`, else `chromium` / `chromium-browser` / `google-chrome` on PATH),
`PdfUnavailable` explains in Chinese, and the print view remains (browser "打印 → 另存为 PDF").
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

STYLESHEET = "css/print.css"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
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


class PdfUnavailable(Exception):
    pass


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


def inline_stylesheet():
    path = finders.find(STYLESHEET)
    if path:
        return Path(path).read_text(encoding="utf-8")
    from django.contrib.staticfiles.storage import staticfiles_storage

    with staticfiles_storage.open(STYLESHEET) as handle:
        return handle.read().decode("utf-8")


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
        try:
            subprocess.run(
                command, capture_output=True, timeout=timeout_seconds(), check=False, cwd=directory
            )
        except subprocess.TimeoutExpired:
            raise PdfUnavailable("生成 PDF 超时，请稍后再试，或使用打印版讲义。") from None
        except OSError as error:
            raise PdfUnavailable(
                f"无法启动 Chromium（{error.strerror or error}），请使用打印版讲义。"
            ) from None
        if not target.exists() or target.stat().st_size == 0:
            raise PdfUnavailable("Chromium 没有生成 PDF，请稍后再试，或使用打印版讲义。")
        return target.read_bytes()


def handout_pdf(request, page, context):
    """The handout (participant or facilitator version, as `context` says) as PDF bytes."""
    context = {
        **context,
        "for_pdf": True,
        "inline_css": inline_stylesheet(),
        "base_url": request.build_absolute_uri("/"),
    }
    html = render_to_string("courses/course_handout.html", context, request=request)
    return html_to_pdf(html)
