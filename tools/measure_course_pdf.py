"""Course PDF timings: each demo course's participant handout printed cold (time, size, pages and
how its fonts are embedded), first print, cached, and 6 requests at once (cold and cached), with
the peak memory of all Chromium processes. Needs a published course (load_demo_content makes some).

Run: manage.py shell < tools/measure_course_pdf.py   (in-process, threads)
With KB_URL=http://127.0.0.1:8000 the requests go to a running server instead (e.g. `make serve`
with several gunicorn workers), and the server's COURSE_PDF_CACHE_DIR (set it for both) is
emptied before each cold round.
"""

import io
import os
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.conf import settings
from django.test import Client
from pypdf import PdfReader

from kb.courses.models import CoursePage
from kb.courses.pdf import chromium_path

BASE = os.environ.get("KB_URL", "").rstrip("/")
courses = list(CoursePage.objects.live().public().order_by("pk")[:3])
if not courses:
    raise SystemExit("no published course: run manage.py load_demo_content first")


def fetch(path):
    start = time.perf_counter()
    if BASE:
        try:
            with urllib.request.urlopen(BASE + path, timeout=120) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
    else:
        response = Client().get(path, HTTP_HOST="127.0.0.1")
        status, body = response.status_code, response.content
    return status, body, time.perf_counter() - start


def get(path):
    status, body, seconds = fetch(path)
    return status, len(body), seconds


def describe(body):
    """Pages and fonts of a PDF: embedded subsets by name, and how many Type 3 fonts (glyphs
    drawn as paths, what Chromium makes of CFF fonts)."""
    reader = PdfReader(io.BytesIO(body))
    subsets, type3 = set(), 0
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            if font.get("/Subtype") == "/Type3":
                type3 += 1
            else:
                subsets.add(str(font.get("/BaseFont")))
    fonts = ", ".join(sorted(subsets)) or "none"
    return f"{len(reader.pages)} pages, fonts: {fonts}; Type 3 fonts: {type3}"


class ChromiumMemory:
    """Peak summed RSS of the processes printing a handout: those whose command line names a
    profile under kb-course-pdf-, and all their descendants (chromium-headless-shell's zygote,
    GPU and renderer processes do not repeat the profile on their command lines)."""

    def __init__(self):
        self.peak = 0
        self.running = True
        self.thread = threading.Thread(target=self.sample, daemon=True)

    def sample(self):
        while self.running:
            parents, rss, roots = {}, {}, set()
            for proc in Path("/proc").iterdir():
                if not proc.name.isdigit():
                    continue
                try:
                    if b"kb-course-pdf-" in (proc / "cmdline").read_bytes():
                        roots.add(proc.name)
                    for line in (proc / "status").read_text().splitlines():
                        if line.startswith("PPid:"):
                            parents[proc.name] = line.split()[1]
                        elif line.startswith("VmRSS:"):
                            rss[proc.name] = int(line.split()[1]) * 1024
                except (OSError, ValueError):
                    continue
            total = 0
            for pid, size in rss.items():
                ancestor, hops = pid, 0
                while ancestor in parents and ancestor not in roots and hops < 20:
                    ancestor, hops = parents[ancestor], hops + 1
                if ancestor in roots:
                    total += size
            self.peak = max(self.peak, total)
            time.sleep(0.05)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()


def fresh_cache():
    """In-process: a new cache directory. Against a server: empty its cache directory (run this
    with the server's COURSE_PDF_CACHE_DIR)."""
    if BASE:
        for printed in Path(settings.COURSE_PDF_CACHE_DIR).glob("*.pdf"):
            printed.unlink()
    else:
        settings.COURSE_PDF_CACHE_DIR = Path(tempfile.mkdtemp(prefix="kb-measure-pdf-"))


def at_once(paths, count=6):
    with ChromiumMemory() as memory, ThreadPoolExecutor(count) as pool:
        start = time.perf_counter()
        results = list(pool.map(lambda number: get(paths[number % len(paths)]), range(count)))
        wall = time.perf_counter() - start
    statuses = {}
    for status, _size, _seconds in results:
        statuses[status] = statuses.get(status, 0) + 1
    times = ", ".join(f"{seconds:.2f}" for _status, _size, seconds in results)
    print(
        f"  {count} at once: statuses {statuses}, each {times} s, wall {wall:.2f} s, "
        f"Chromium peak {memory.peak / 2**20:.0f} MiB"
    )


print(f"Chromium: {chromium_path()}")
# One print view first: the process's own first request (templates compiled, URLs loaded) is
# not the PDF's time.
get(courses[0].participant_handout_url)
print("each course's participant handout, cold cache:")
for course in CoursePage.objects.live().public().order_by("pk"):
    fresh_cache()
    status, body, seconds = fetch(course.participant_pdf_url)
    details = describe(body) if status == 200 else ""
    print(f"  {course.slug}: {status}, {len(body):,} bytes, {seconds:.2f} s; {details}")

path = courses[0].participant_pdf_url
print(f"course {courses[0].title!r}, {path}, COURSE_PDF_CONCURRENCY={settings.COURSE_PDF_CONCURRENCY}")
fresh_cache()
with ChromiumMemory() as memory:
    status, size, seconds = get(path)
print(f"  first print: {status}, {size} bytes, {seconds:.2f} s, Chromium peak {memory.peak / 2**20:.0f} MiB")
for _ in range(3):
    status, size, seconds = get(path)
    print(f"  cached: {status}, {size} bytes, {seconds * 1000:.0f} ms")
every = [course.participant_pdf_url for course in courses]
for label, paths in [("one handout", [path]), (f"{len(every)} handouts", every)]:
    print(f"{label}, cold cache:")
    fresh_cache()
    at_once(paths)
    print(f"{label}, again (what the first round printed is cached):")
    at_once(paths)
if not BASE:
    limit = settings.COURSE_PDF_CONCURRENCY
    settings.COURSE_PDF_CONCURRENCY = 6
    print(f"{len(every)} handouts, cold cache, limit raised to 6 (as before: no limit):")
    fresh_cache()
    at_once(every)
    settings.COURSE_PDF_CONCURRENCY = limit
