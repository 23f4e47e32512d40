"""Reusing a search: CSV/JSON/RIS export, search feeds and similar pages, on each backend
(the `library` fixture runs every test once on the database and once on Elasticsearch)."""

import csv
import io
import json
import xml.etree.ElementTree as ET

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb.vocabularies.models import Issue
from tests.factories import CasePageFactory, publish
from tests.search.conftest import terms
from tests.search.helpers import api

ATOM = "{http://www.w3.org/2005/Atom}"


def export(client, extension, **params):
    response = client.get(f"/search/export.{extension}", params)
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8")


def csv_rows(text):
    assert text.startswith("\ufeff")  # Excel and WPS read UTF-8 only with the BOM
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_csv_lists_every_match_with_its_fields(client, library, search_backend):
    rows = csv_rows(export(client, "csv", issue=["宠物管理", "停车难"]))
    assert len(rows) == api(client, issue=["宠物管理", "停车难"])["total"] == 2
    parking = next(r for r in rows if r["标题"] == "老旧小区停车难的协商")
    assert parking["类型"] == "案例"
    assert parking["链接"] == "http://testserver" + library["parking"].url
    assert parking["地区"] == "四川省/成都市/武侯区"
    assert parking["社区类型"] == "老旧院落"
    assert parking["起始年份"] == "2015"
    assert parking["治理主体"] == "居委会；议事会"


def test_csv_keeps_the_search_order_and_ignores_paging(client, library, search_backend):
    rows = csv_rows(export(client, "csv", q="居民", sort="newest", page="2", page_size="1"))
    searched = api(client, q="居民", sort="newest", page_size=100)
    assert [r["标题"] for r in rows] == [r["title"] for r in searched["results"]]
    assert len(rows) == searched["total"] > 1


def test_json_export_has_the_total_and_policy_fields(client, library, search_backend):
    data = json.loads(export(client, "json", type="policy"))
    assert data["total"] == 1
    (policy,) = data["results"]
    assert policy["title"] == "城乡社区发展治理条例"
    assert policy["issuers"] == ["成都市人大常委会"]
    assert policy["level"] == "市级"
    assert policy["validity"] == "现行有效"
    assert policy["issued_on"] == "2018-06"


def test_ris_export_has_one_record_per_match(client, library, search_backend):
    text = export(client, "ris", type="case")
    assert text.count("TY  - ELEC") == 3
    assert "TI  - 铲屎官小队" in text


def test_export_answers_bad_parameters_in_chinese(client, library):
    for extension in ("csv", "json", "ris"):
        response = client.get(f"/search/export.{extension}", {"type": "video"})
        assert response.status_code == 400
        assert "未知的类型" in response.json()["error"]
    assert client.get("/search/export.xlsx").status_code == 404


def test_export_reads_pages_in_batches_not_one_query_per_row(client, library, indexes):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            export(client, "csv", type="case")
        return len(captured)

    queries()  # the first export may check (and on Elasticsearch rebuild) the index
    few = queries()
    for number in range(12):
        page = CasePageFactory(parent=indexes["case"], title=f"批量案例{number}", live=False)
        page.issues = terms(Issue, "停车难")
        publish(page)
    queries()  # the first search after publishing sends Elasticsearch its queued changes
    assert queries() == few


def test_search_feed_lists_matches_newest_first(client, library, search_backend):
    response = client.get("/feeds/search.atom", {"issue": "宠物管理"})
    assert response.status_code == 200
    feed = ET.fromstring(response.content)
    titles = [e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry")]
    assert titles == ["[案例] 铲屎官小队"]
    assert "宠物管理" in feed.find(f"{ATOM}title").text
    rss = client.get("/feeds/search.rss", {"q": "居民"})
    assert rss.status_code == 200
    items = ET.fromstring(rss.content).findall("./channel/item")
    assert len(items) == api(client, q="居民")["total"]


def test_search_feed_answers_bad_parameters_400(client, library):
    for url in ("/feeds/search.rss", "/feeds/search.atom"):
        response = client.get(url, {"sort": "random"})
        assert response.status_code == 400
        assert "排序" in response.json()["error"]


def similar(client, page, **params):
    response = client.get("/api/search/similar/", {"url": page.url, **params})
    assert response.status_code == 200, response.content
    return [r["title"] for r in response.json()["results"]]


def test_similar_pages_rank_by_shared_terms_and_title_words(client, library, indexes, search_backend):
    twin = CasePageFactory(parent=indexes["case"], title="宠物友好小队", summary="养宠公约。", live=False)
    twin.issues = terms(Issue, "宠物管理")
    publish(twin)
    draft = CasePageFactory(parent=indexes["case"], title="宠物草稿小队", live=False)
    draft.save_revision()
    # 宠物管理 (3) + the title word 小队 (1) = 4; 助老服务队: 居民自组织 (1) + 商品房小区 (2) = 3.
    assert similar(client, library["pets"]) == ["宠物友好小队", "助老服务队"]
    assert similar(client, library["elderly"]) == ["铲屎官小队"]
    assert similar(client, library["parking"]) == []


def test_similar_pages_filter_by_type_and_keep_the_result_shape(client, library, search_backend):
    response = client.get("/api/search/similar/", {"url": "http://testserver" + library["pets"].url})
    (result,) = response.json()["results"]
    assert set(result) == {"title", "url", "type", "summary", "highlight", "date", "date_label", "fields"}
    assert result["fields"]["community_type"] == ["商品房小区"]
    assert similar(client, library["pets"], type="policy") == []


def test_similar_pages_explain_bad_requests(client, library):
    assert "url" in client.get("/api/search/similar/").json()["error"]
    missing = client.get("/api/search/similar/", {"url": "/cases/no-such-case/"})
    assert missing.status_code == 404
    assert "找不到" in missing.json()["error"]
    wrong_type = client.get("/api/search/similar/", {"url": library["pets"].url, "type": "video"})
    assert wrong_type.status_code == 400


def test_case_page_shows_similar_cases(client, library, search_backend):
    html = client.get(library["pets"].url).content.decode()
    assert "相似案例" in html
    assert "助老服务队" in html
