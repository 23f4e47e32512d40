from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from benchmarks.relevance import evaluate, site_search, stock_wagtail_search
from search.indexing import index_backends


class Command(BaseCommand):
    help = (
        "Score the site search and stock Wagtail search on the relevance set "
        "(benchmarks/data/relevance.yaml) over the current content; --write saves docs/search-relevance.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true", help="write the report to docs/")

    def handle(self, *args, write=False, **options):
        rows = []
        vendor = connection.vendor
        searches = [
            (f"this site, {backend.name} backend" + (f" ({vendor})" if backend.name == "database" else ""),
             partial(site_search, backend=backend))
            for backend in index_backends()
        ]  # fmt: skip
        for name, function in [*searches, (f"stock Wagtail search ({vendor})", stock_wagtail_search)]:
            outcomes = evaluate(function)
            passed = sum(o.passed for o in outcomes)
            rows.append((name, passed, len(outcomes), [o for o in outcomes if not o.passed]))
            self.stdout.write(f"{name}: {passed}/{len(outcomes)} queries pass")
        if write:
            lines = [
                "# Search relevance",
                "",
                "The relevance set (`benchmarks/data/relevance.yaml`) holds practitioner queries on the demo",
                "content, each with the pages that must appear in the first results (and, for a few, pages",
                "that must not). Produced by `python manage.py search_relevance --write` after `make run`;",
                "with `ELASTICSEARCH_URL` set, the Elasticsearch backend is scored in the same run.",
                "",
                "| search | queries passing |",
                "| --- | --- |",
            ]
            lines += [f"| {name} | {passed} / {total} |" for name, passed, total, _ in rows]
            for name, _, _, failures in rows:
                if failures:
                    lines += ["", f"## Failing for {name}", ""]
                    lines += [f"- `{o.query}`: missing {', '.join(o.missing) or '—'}" for o in failures]
            Path(settings.BASE_DIR, "docs", "search-relevance.md").write_text(
                "\n".join(lines) + "\n", encoding="utf-8"
            )
