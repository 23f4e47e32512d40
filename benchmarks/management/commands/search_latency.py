"""Request latency of /api/search/ on a running server, against the same server's floor requests.

    python manage.py search_latency --url http://127.0.0.1:8000 [--rounds 3] [--write]
    python manage.py search_latency --in-process [--rounds 3]

What a reader waits for, measured from outside the server process (HTTP, one request at a time):
the floor requests (`/healthz`, a suggestion, a search that matches nothing) show what any request
to this server costs; the searches are the text + two facets queries of `search_benchmark` (a
text, its issue, a province or city; fixed by the seed). Round 1 asks each query for the first
time since the server started, as a reader who just arrived; later rounds ask the same queries
again, with a different page size, so neither the server's page cache nor a browser's cache can
answer them, but what the search backend keeps (search/backends/rankings.py) can. Figures: p50
and p95 over every request of a round, and the ratio of the p95 to the floor's p95. The server
should be serving the pages you want measured (e.g. a library made by `search_benchmark
--keep-database`), with `PAGE_CACHE_SECONDS` as in production.

`--in-process` asks the same rounds of the search service in this process, on the database of
DATABASE_URL, and prints their figures (no floor, no report): what the search backend alone costs
of each request, starting with nothing kept, as a freshly started server does.
"""

import json
import platform
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from .search_benchmark import DEFAULT_SEED, percentile, query_set

REPORT_PATH = Path(settings.BASE_DIR) / "docs" / "search-latency.md"
FLOORS = {
    "/healthz": "/healthz",
    "suggestion": "/api/search/suggest/?" + urlencode({"q": "停"}),
    "no match": "/api/search/?" + urlencode({"q": "zzqqxx"}),
}


class Command(BaseCommand):
    help = "Time /api/search/ text + facets requests on a running server against its floor requests."

    def add_arguments(self, parser):
        parser.add_argument("--url", help="the server's base URL, e.g. http://127.0.0.1:8000")
        parser.add_argument(
            "--in-process", action="store_true", help="ask the search service in this process instead"
        )
        parser.add_argument("--queries", type=int, default=50, help="text + facets queries per round")
        parser.add_argument("--rounds", type=int, default=3, help="rounds over the same queries (≥ 2)")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--write", action="store_true", help=f"write the report to {REPORT_PATH.name}")
        parser.add_argument("--output", help="write the report to this file instead")
        parser.add_argument(
            "--note", default="", help="what the server serves (pages, settings), for the report"
        )

    def handle(self, *args, **options):
        if options["rounds"] < 2 or options["queries"] < 1:
            raise CommandError("--rounds must be at least 2 and --queries positive.")
        if bool(options["url"]) == options["in_process"]:
            raise CommandError("Give either --url (a running server) or --in-process.")
        if options["in_process"]:
            self.in_process(options)
            return
        base = options["url"].rstrip("/")
        total = self.get(base, "/api/search/?q=")["total"]
        floors = {}
        for label, path in FLOORS.items():
            self.get(base, path)
            floors[label] = [self.timed(base, path) for _ in range(options["queries"])]
        queries = query_set(options["seed"], options["queries"])["text_facets"]
        rounds = []
        for number in range(options["rounds"]):
            size = 20 - number  # a different URL each round: no cache of whole answers helps
            rounds.append([self.timed(base, search_path(text, filters, size)) for text, filters in queries])
            self.stderr.write(f"round {number + 1}: p95 {percentile(rounds[-1], 0.95) * 1000:.1f} ms")
        report = self.render(options, base, total, floors, rounds)
        self.stdout.write(report)
        if options["write"] or options["output"]:
            path = Path(options["output"]) if options["output"] else REPORT_PATH
            path.write_text(report, encoding="utf-8")
            self.stderr.write(f"written to {path}")

    def in_process(self, options):
        """Each round's p50, p95 and slowest queries, asked of search.service here."""
        from search import service
        from search.backends import rankings

        service.search(QueryDict("q=&page_size=1"))  # facet bitmaps loaded, as by a server's first request
        rankings.forget()
        queries = query_set(options["seed"], options["queries"])["text_facets"]
        for number in range(options["rounds"]):
            size = 20 - number
            times = []
            for text, filters in queries:
                params = QueryDict(urlencode(search_params(text, filters, size)))
                start = time.perf_counter()
                results = service.search(params)
                times.append((time.perf_counter() - start, text, results.total))
            seconds = [t for t, _, _ in times]
            slowest = ", ".join(
                f"{text} ({total}) {t * 1000:.1f}" for t, text, total in sorted(times)[-3:][::-1]
            )
            self.stdout.write(
                f"round {number + 1}: p50 {percentile(seconds, 0.5) * 1000:.1f} ms, "
                f"p95 {percentile(seconds, 0.95) * 1000:.1f} ms; slowest: {slowest}"
            )

    @staticmethod
    def get(base, path):
        with urllib.request.urlopen(base + path, timeout=60) as response:
            return json.loads(response.read())

    @staticmethod
    def timed(base, path):
        start = time.perf_counter()
        with urllib.request.urlopen(base + path, timeout=60) as response:
            response.read()
            if response.status != 200:
                raise CommandError(f"{path} answered {response.status}")
        return time.perf_counter() - start

    def render(self, options, base, total, floors, rounds):
        floor_p95 = min(percentile(times, 0.95) for times in floors.values())
        lines = [
            "# Search request latency",
            "",
            "`/api/search/` text + two facets requests against the same server's floor requests, over HTTP,",
            "one at a time (benchmarks/management/commands/search_latency.py documents the method).",
            "",
            "```sh",
            f"python manage.py search_latency --url {base} --queries {options['queries']} "
            f"--rounds {options['rounds']} --write",
            "```",
            "",
            f"- Server: {base}, {total:,} pages in its index. {options['note']}".rstrip(),
            f"- Machine: {platform.platform()}; Python {platform.python_version()}",
            f"- Run: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
            "",
            "| request | p50 ms | p95 ms | p95 / floor p95 |",
            "| --- | ---: | ---: | ---: |",
        ]
        for label, times in floors.items():
            p95 = percentile(times, 0.95)
            lines.append(
                f"| floor: {label} | {percentile(times, 0.5) * 1000:.1f} | {p95 * 1000:.1f} | "
                f"{p95 / floor_p95:.1f}× |"
            )
        for number, times in enumerate(rounds, start=1):
            label = (
                "first time since the server started" if number == 1 else "asked before (another page size)"
            )
            p95 = percentile(times, 0.95)
            lines.append(
                f"| text + two facets, round {number}: {label} | {percentile(times, 0.5) * 1000:.1f} | "
                f"{p95 * 1000:.1f} | {p95 / floor_p95:.1f}× |"
            )
        lines += ["", "The floor is the fastest floor request's p95.", ""]
        return "\n".join(lines)


def search_params(text, filters, page_size):
    """The query string's (name, value) pairs of a text + facets search."""
    params = [("q", text)] + [(facet, value) for facet, values in filters.items() for value in values]
    return [*params, ("page_size", page_size)]


def search_path(text, filters, page_size):
    return "/api/search/?" + urlencode(search_params(text, filters, page_size))
