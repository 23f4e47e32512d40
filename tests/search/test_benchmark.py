"""`search_benchmark` runs end to end at a tiny size. Nothing here checks a timing."""

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from wagtail.models import Page

from kb.cases.models import CasePage
from search.backends.database import DatabaseBackend
from search.documents import build_document
from search.query import SearchQuery
from tests.factories import CasePageFactory

KINDS = ("text only", "one facet only", "text + two facets")


def run_benchmark(tmp_path, *args):
    report = tmp_path / "benchmark.md"
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command(
        "search_benchmark", "--in-place", *args, "--output", str(report), stdout=stdout, stderr=stderr
    )
    return report.read_text(encoding="utf-8"), stdout.getvalue(), stderr.getvalue()


def table_rows(text, heading):
    """The rows of the query table under `heading`: {kind: [cells]}."""
    section = text.split(heading, 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells and cells[0] in KINDS:
            rows[cells[0]] = cells
    return rows


def test_benchmark_reports_both_backends_at_each_size(indexes, tmp_path):
    text, stdout, stderr = run_benchmark(tmp_path, "--sizes", "30,50", "--queries", "3")

    assert stdout == text
    assert "50 pages: our index built" in stderr and "50 pages: stock index built" in stderr
    assert text.startswith("# Search benchmark")
    # The command that made the report, as it was given (a file outside the project by name alone)
    assert (
        "python manage.py search_benchmark --sizes 30,50 --queries 3 --in-place --output benchmark.md" in text
    )
    assert str(tmp_path) not in text
    assert ("DATABASE_URL=postgres://… python manage.py" in text) == (connection.vendor == "postgresql")
    for heading in ("## Machine and run", "## Method", "## Results", "## Targets"):
        assert heading in text
    assert "this run did not measure that" in text  # the targets are for 100,000 pages
    for size in ("30", "50"):
        heading = f"### {size} pages"
        assert heading in text
        rows = table_rows(text, heading)
        assert set(rows) == set(KINDS)
        for kind, cells in rows.items():
            assert len(cells) == 10
            assert all(re.fullmatch(r"[\d,]+\.\d", cell) for cell in cells[1:5]), cells  # p50/p95 in ms
            # after the same words alone: p50/p95 in ms
            assert all(re.fullmatch(r"[\d,]+\.\d", cell) for cell in cells[8:10]), cells
            assert re.fullmatch(r"[\d,]+ \([0-3]/3\)", cells[7]), (
                cells
            )  # stock: mean hits (queries with hits)
            # ours finds something for every text-only and facet-only query: the corpus is built for them
            assert re.fullmatch(
                r"[\d,]+ \(3/3\)" if kind != "text + two facets" else r"[\d,]+ \([0-3]/3\)", cells[6]
            )
    assert "## Where the time goes" in text


def test_the_pages_are_real_and_our_backend_finds_them_in_chinese(indexes, tmp_path):
    run_benchmark(tmp_path, "--sizes", "40", "--queries", "1")

    pages = CasePage.objects.live().child_of(indexes["case"])
    assert pages.count() == 40
    assert all(page.slug.startswith("bench-") and page.url.startswith("/cases/bench-") for page in pages)
    assert not any(Page.find_problems())  # treebeard: paths, depths and numchild are consistent

    results = DatabaseBackend().search(SearchQuery(q="停车", page_size=100))
    documents = [build_document(page) for page in pages.prefetch_related("issues", "actors", "methods")]
    containing = {d.page_id for d in documents if "停车" in " ".join([d.title, d.summary, d.terms, d.body])}
    assert containing  # the corpus talks about parking
    assert {hit.page_id for hit in results.hits} == containing
    assert results.total == len(containing)
    assert results.facets["type"][0].count == len(containing)


def test_in_place_refuses_a_database_with_content(indexes, tmp_path):
    CasePageFactory(parent=indexes["case"])
    with pytest.raises(CommandError, match="without knowledge pages"):
        run_benchmark(tmp_path, "--sizes", "10", "--queries", "1")


def test_suggest_benchmark_times_every_prefix_on_the_pages_it_made(indexes):
    stdout = io.StringIO()
    call_command(
        "search_suggest_benchmark",
        "--in-place",
        "--size",
        "30",
        "--repeat",
        "2",
        stdout=stdout,
        stderr=io.StringIO(),
    )
    text = stdout.getvalue()
    assert CasePage.objects.live().count() == 30
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(rows) == 16
    found = {row.split("|")[1].strip(" `"): int(row.split("|")[2]) for row in rows}
    assert found["社区"] > 0 and found["shequ"] > 0 and found["sq"] > 0
    assert re.search(r"on 30 synthetic case pages \([\d,]+ suggestion rows", text)


# Committed pages for the live server; the migrations' rows (locale, root page) restored after.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_latency_command_times_searches_against_the_floor_on_a_live_server(live_server, tmp_path):
    from kb.core.page_types import index_model
    from kb.core.site_structure import ensure_site_structure
    from kb.vocabularies.models import Issue

    ensure_site_structure()
    page = CasePageFactory(
        parent=index_model("case").objects.get(), title="停车难的协商", summary="车位轮换。"
    )
    page.issues = [Issue.objects.get(name="停车难")]
    page.save_revision().publish()
    report = tmp_path / "latency.md"
    stderr = io.StringIO()
    call_command(
        "search_latency", "--url", live_server.url, "--queries", "4", "--rounds", "2",
        "--output", str(report), stdout=io.StringIO(), stderr=stderr,
    )  # fmt: skip

    text = report.read_text(encoding="utf-8")
    assert text.startswith("# Search request latency")
    assert "1 pages in its index" in text
    rows = [line for line in text.splitlines() if line.startswith("| floor:") or line.startswith("| text +")]
    assert len(rows) == 5
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert re.fullmatch(r"[\d.]+", cells[1]) and re.fullmatch(r"[\d.]+", cells[2]), cells
        assert re.fullmatch(r"[\d.]+×", cells[3]), cells
    assert "round 2" in stderr.getvalue()


def test_latency_command_in_process_times_the_same_rounds_of_the_search_service(indexes):
    from kb.vocabularies.models import Issue

    page = CasePageFactory(parent=indexes["case"], title="停车难的协商", summary="车位轮换。")
    page.issues = [Issue.objects.get(name="停车难")]
    page.save_revision().publish()
    stdout = io.StringIO()
    call_command("search_latency", "--in-process", "--queries", "3", "--rounds", "2", stdout=stdout)

    lines = stdout.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == ["round 1", "round 2"]
    for line in lines:
        assert re.match(r"round \d: p50 [\d.]+ ms, p95 [\d.]+ ms; slowest: \S+ \(\d+\) [\d.]+", line), line


def test_latency_command_asks_a_server_or_this_process_not_both():
    with pytest.raises(CommandError, match="either --url"):
        call_command("search_latency", "--url", "http://127.0.0.1:9", "--in-process")
    with pytest.raises(CommandError, match="either --url"):
        call_command("search_latency")


def test_latency_command_refuses_a_single_round():
    with pytest.raises(CommandError, match="--rounds"):
        call_command("search_latency", "--url", "http://127.0.0.1:9", "--rounds", "1")
