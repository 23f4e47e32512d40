"""Latency of GET /api/search/suggest/'s lookup (search.suggestions.suggest) on a synthetic library.

    python manage.py search_suggest_benchmark --size 10000 --write

In a throwaway database made as search_benchmark makes one (never the developer's), it creates
`--size` synthetic case pages with search_benchmark's corpus, indexes them with the site's
rebuild (the embedded backend writes the suggestion rows), then times a fixed set of prefixes (characters,
traditional characters, pinyin, initials), each `--repeat` times, and reports p50/p95/max.
Bounded: 10,000 pages take a few minutes on 2 cores. `--write` saves docs/search-suggest.md.
"""

import os
import statistics
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from kb.cases.models import CaseIndexPage
from kb.core.site_structure import ensure_site_structure
from search.indexing import rebuild
from search.models import SearchSuggestion
from search.suggestions import suggest

from . import search_benchmark

PREFIXES = [
    "社",
    "社区",
    "老旧",
    "停车",
    "成都",
    "停車",
    "社區營",
    "s",
    "she",
    "shequ",
    "chengdu",
    "tingche",
    "cd",
    "sq",
    "lj",
    "cdsq",
]
TARGET_MS = 20.0
REPORT_PATH = Path(settings.BASE_DIR) / "docs" / "search-suggest.md"


class Command(search_benchmark.Command):
    help = "Time suggestion lookups on synthetic case pages in a throwaway database."

    def add_arguments(self, parser):
        parser.add_argument("--size", type=int, default=10_000, help="case pages (10000)")
        parser.add_argument("--repeat", type=int, default=50, help="timed lookups per prefix (50)")
        parser.add_argument("--write", action="store_true", help="write docs/search-suggest.md")
        parser.add_argument("--keep-database", action="store_true", help="keep the throwaway database")
        parser.add_argument(
            "--in-place",
            action="store_true",
            help="run on the configured database (the test suite's); refused if it holds knowledge pages",
        )
        parser.add_argument("--seed", type=int, default=search_benchmark.DEFAULT_SEED)

    def handle(self, *args, **options):
        self.started = time.perf_counter()
        self.options = options
        if options["in_place"]:
            self.check_empty()
            text = self.measure(options["size"], options["repeat"])
        else:
            with self.throwaway_database():
                text = self.measure(options["size"], options["repeat"])
        if options["write"]:
            REPORT_PATH.write_text(text, encoding="utf-8")
            self.progress(f"report written to {REPORT_PATH}")
        self.stdout.write(text)

    def measure(self, size, repeat):
        ensure_site_structure()
        parent = CaseIndexPage.objects.get()
        corpus = search_benchmark.Corpus(self.options["seed"])
        for start in range(0, size, search_benchmark.CREATE_BATCH):
            search_benchmark.create_cases(
                corpus, parent, start, min(size, start + search_benchmark.CREATE_BATCH)
            )
        self.progress(f"{size} pages created; indexing")
        rebuild()  # what rebuild_search_index runs, which writes the suggestion rows too
        rows = SearchSuggestion.objects.count()
        self.progress(f"indexed; {rows} suggestion rows; timing")
        lines = [
            "# Search suggestions: latency",
            "",
            "`search.suggestions.suggest`, the lookup behind `GET /api/search/suggest/`, timed in-process",
            f"on {size:,} synthetic case pages ({rows:,} suggestion rows: titles and vocabulary terms)",
            f"in a throwaway {connection.vendor} database, {repeat} times per prefix after one untimed run.",
            "Produced by:",
            "",
            "```sh",
            f"python manage.py search_suggest_benchmark --size {size} --repeat {repeat} --write",
            "```",
            "",
            "| prefix | suggestions | p50 ms | p95 ms | max ms |",
            "| --- | --- | --- | --- | --- |",
        ]
        every = []
        for prefix in PREFIXES:
            found = len(suggest(prefix))
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                suggest(prefix)
                times.append((time.perf_counter() - start) * 1000)
            every += times
            times.sort()
            p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
            lines.append(
                f"| `{prefix}` | {found} | {statistics.median(times):.2f} | {p95:.2f} | {times[-1]:.2f} |"
            )
        every.sort()
        p95 = every[min(len(every) - 1, int(len(every) * 0.95))]
        verdict = "met" if p95 < TARGET_MS else "NOT met"
        lines += [
            "",
            f"All prefixes: p50 {statistics.median(every):.2f} ms, p95 {p95:.2f} ms, max {every[-1]:.2f} ms "
            f"(target: under {TARGET_MS:.0f} ms at 10,000 pages on SQLite: {verdict}).",
            "",
            f"Machine: {self.machine_line()}.",
            "",
            "Load average (1, 5, 15 min) at the end: "
            + ", ".join(f"{load:.2f}" for load in os.getloadavg())
            + ".",
            "",
        ]
        return "\n".join(lines)

    def machine_line(self):
        info = self.machine()
        return ", ".join(
            f"{key} {value}" for key, value in info.items() if isinstance(value, (str, int, float))
        )
