"""A large import renders Markdown and analyses search text on worker processes (kb.core.workers):
what it writes is what the same files give in this process, and a refused body is reported the
same way. IMPORT_WORKERS_FROM=1 makes these small runs start real, spawned workers."""

from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings

from kb.cases.models import CasePage
from kb.core import workers
from kb.importing.problems import ImportFailed
from kb.importing.reading import collect_files
from kb.importing.validating import render_body
from kb.importing.writing import import_files
from search.backends.database import entry_rows
from search.documents import build_document

BODY = """
## 起因

楼道里堆满杂物，**消防通道**被占。

## 做法

1. 居民议事会商量
2. 物业配合清运

> 一位楼长说：“先从自己家门口做起。”
"""


@pytest.fixture
def started_pools(monkeypatch):
    """The worker counts of the pools the run starts (the real pools: only counted)."""
    counts, real_pool = [], workers.pool

    def counting_pool(processes):
        counts.append(processes)
        return real_pool(processes)

    monkeypatch.setattr(workers, "pool", counting_pool)
    monkeypatch.setattr(workers, "spare_cores", lambda: 2)  # even on a one-core machine
    return counts


def case(number):
    return {
        "type": "case",
        "title": f"楼道清理第{number}例",
        "slug": f"stairs-{number}",
        "summary": "居民和物业一起清理楼道。",
        "issues": ["物业矛盾"],
    }


def index_rows(page_ids):
    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(page_ids))
        cursor.execute(
            "SELECT page_id, type, title, url, summary, date, date_label, published_at, body, title_key "
            f"FROM search_searchentry WHERE page_id IN ({marks}) ORDER BY page_id",
            page_ids,
        )
        entries = [tuple(row) for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT entry_id, facet, value FROM search_searchfacetvalue WHERE entry_id IN ({marks}) "
            "ORDER BY entry_id, id",
            page_ids,
        )
        facets = [tuple(row) for row in cursor.fetchall()]
    return entries, facets


@override_settings(IMPORT_WORKERS_FROM=1)
def test_pages_written_with_workers_are_those_made_here(indexes, write_md, started_pools):
    for number in range(3):
        folder = write_md(f"{number}.md", case(number), body=BODY).parent
    import_files(collect_files([folder]), publish=True, create_terms=True)

    assert started_pools == [2]
    pages = list(CasePage.objects.order_by("pk"))
    assert len(pages) == 3
    for page in pages:
        blocks, problems = render_body((f"{page.slug}.md", "case", BODY))
        assert problems == []
        assert [(block.block_type, block.value["heading"]) for block in page.body] == [
            (kind, value["heading"]) for kind, value in blocks
        ]
        assert [str(block.value["content"]) for block in page.body] == [
            value["content"] for _, value in blocks
        ]
    # The index rows the workers analysed are those this process makes from the same pages.
    entries, facets, _, _ = entry_rows([build_document(page) for page in pages])
    expected = ([(*row[:9], row[10]) for row in entries], [tuple(row) for row in facets])
    assert index_rows([page.pk for page in pages]) == expected
    assert "消防通道" in expected[0][0][8]


@override_settings(IMPORT_WORKERS_FROM=1)
def test_a_refused_body_is_reported_as_without_workers(indexes, write_md, started_pools):
    write_md("good.md", case(1), body=BODY)
    folder = write_md("deep.md", case(2), body=">" * 200 + " 太深的引用\n").parent

    with pytest.raises(ImportFailed) as with_workers:
        import_files(collect_files([folder]), publish=True, create_terms=True)
    with override_settings(IMPORT_WORKERS_FROM=10_000), pytest.raises(ImportFailed) as without:
        import_files(collect_files([folder]), publish=True, create_terms=True)

    assert started_pools == [2, 0]
    assert [(Path(p.file).name, p.field) for p in with_workers.value.problems] == [("deep.md", "正文")]
    assert with_workers.value.problems == without.value.problems
    assert not CasePage.objects.exists()


def test_a_small_run_starts_no_workers(indexes, write_md, started_pools):
    import_files(collect_files([write_md("a.md", case(1), body=BODY)]), publish=True, create_terms=True)
    assert started_pools == [0]
    assert CasePage.objects.count() == 1
