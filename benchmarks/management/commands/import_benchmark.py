"""Import benchmark: N synthetic case files through `import_content --publish`, then the same files again.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 python manage.py migrate
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 python manage.py import_benchmark --pages 1000

The files are the demo cases (fixtures/cases) copied with new slugs and titles and without their
references to other pages, written to a temporary folder. The first run creates and publishes every
page (pages/s, by the wall clock, and the CPU time of this process and of the worker processes a
large run starts, kb.core.workers); the second imports the same unchanged files, which must add no
revision. It prints the peak memory of this process and of the largest worker. It writes
to the configured database, so point DATABASE_URL at a throwaway one: it refuses a database that
already holds case pages.
"""

import re
import resource
import tempfile
import time
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Page, Revision

from kb.cases.models import CasePage

REFERENCE_KEYS = re.compile(r"^(principles|policies|cases):")


def write_synthetic_cases(folder, count):
    """`count` case files in `folder`, made from the demo cases with unique slugs and titles."""
    sources = sorted((Path(settings.DEMO_CONTENT_DIR) / "cases").glob("*.md"))
    for number in range(count):
        text = sources[number % len(sources)].read_text(encoding="utf-8")
        head, body = text.split("\n---\n", 1)
        lines = []
        for line in head.split("\n"):
            if REFERENCE_KEYS.match(line):
                continue
            if line.startswith("title: "):
                line = f"title: {line[7:].strip().strip(chr(34))}（第{number}号）"
            elif line.startswith("slug: "):
                line = f"slug: {line[6:].strip()}-{number}"
            lines.append(line)
        (Path(folder) / f"case-{number:06d}.md").write_text(
            "\n".join(lines) + "\n---\n" + body, encoding="utf-8"
        )


class Command(BaseCommand):
    help = "Time import_content --publish on N new synthetic case pages, then on the same files unchanged."

    def add_arguments(self, parser):
        parser.add_argument("--pages", type=int, default=1000, help="how many case files (default 1000)")

    def handle(self, *args, pages, **options):
        if CasePage.objects.exists():
            raise CommandError(
                "The database already holds case pages: run this on a fresh, throwaway database."
            )
        with tempfile.TemporaryDirectory() as folder:
            write_synthetic_cases(folder, pages)
            first, (first_cpu, first_workers_cpu), first_output = self.timed_import(folder)
            revisions = Revision.objects.count()
            second, (second_cpu, _), second_output = self.timed_import(folder)
            added = Revision.objects.count() - revisions
        problems = Page.find_problems()
        self.stdout.write(
            f"first import:  {pages} new pages in {first:.1f} s = {pages / first:.1f} pages/s "
            f"(CPU of this process {first_cpu:.1f} s = {pages / first_cpu:.1f} pages/s; "
            f"of its workers {first_workers_cpu:.1f} s)"
        )
        self.stdout.write(f"  {first_output.splitlines()[-1]}")
        self.stdout.write(
            f"second import (unchanged): {second:.1f} s (CPU {second_cpu:.1f} s), {added} revisions added"
        )
        self.stdout.write(f"  {second_output.splitlines()[-1]}")
        self.stdout.write(f"tree problems: {sum(len(p) for p in problems)}")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
        workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        self.stdout.write(
            f"peak memory of this process: {peak:.0f} MB; of the largest worker: {workers:.0f} MB"
        )

    def timed_import(self, folder):
        output = StringIO()
        start, start_cpu, start_workers = time.perf_counter(), time.process_time(), _workers_cpu()
        call_command("import_content", folder, publish=True, create_terms=True, stdout=output)
        # CPU time too: on a shared machine the wall clock says more about the neighbours.
        cpu = (time.process_time() - start_cpu, _workers_cpu() - start_workers)
        return time.perf_counter() - start, cpu, output.getvalue().strip()


def _workers_cpu():
    """CPU seconds of the ended worker processes (a run's pool is closed when it returns)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
