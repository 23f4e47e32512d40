"""Reusing a search in a real browser, without JavaScript: tick a facet, export the CSV and check
its rows against the API's total, then add two cases to a comparison and open it."""

import csv
import io
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from kb.vocabularies.models import Issue
from tests.factories import CasePageFactory, publish

CASES = [("停车难", 3), ("养老服务", 2)]


@pytest.fixture
def library(indexes):
    titles = {}
    for issue, count in CASES:
        for number in range(count):
            title = f"{issue}案例{number + 1}"
            page = CasePageFactory(
                parent=indexes["case"],
                title=title,
                slug=f"case-{len(titles)}-{number}",
                summary=f"居民协商解决{issue}。",
                live=False,
                body=[("section", {"kind": "background", "heading": "", "content": f"<p>{title}的背景</p>"})],
            )
            page.issues = [Issue.objects.get(name=issue)]
            publish(page)
            titles.setdefault(issue, []).append(title)
    return titles


def test_export_filtered_results_and_compare_two_cases(new_page, server_url, library):
    page = new_page(java_script_enabled=False)
    page.goto(f"{server_url}/search/?q=协商")
    page.locator('fieldset.facet[data-facet="issue"]').get_by_role(
        "checkbox", name=re.compile(r"^停车难 \(\d+\)$")
    ).check()
    page.get_by_role("button", name="应用筛选").click()
    page.wait_for_url(re.compile(r"issue="))

    with page.expect_download() as download:
        page.get_by_role("link", name="表格（CSV）").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    api = page.request.get(f"{server_url}/api/search/?{urlsplit(page.url).query}").json()
    assert len(rows) == api["total"] == len(library["停车难"])
    assert {row["标题"] for row in rows} == set(library["停车难"])
    assert {row["议题"] for row in rows} == {"停车难"}

    hits = page.locator(".hit")
    for index in range(2):
        hits.nth(index).get_by_role("button", name="加入对比").click()
        page.wait_for_load_state()
    assert "对比栏（2/4）" in page.locator(".compare-tray").inner_text()
    chosen = hits.locator(".card__title a").all_inner_texts()[:2]
    page.get_by_role("link", name="打开对比（2）").click()
    page.wait_for_url(re.compile(r"/compare/\?pages="))
    headers = page.locator(".compare-table thead th").all_inner_texts()
    assert headers[1:] == chosen
    assert page.get_by_role("row", name=re.compile("背景与问题")).is_visible()
    assert f"{chosen[0]}的背景" in page.locator(".compare-table").inner_text()
