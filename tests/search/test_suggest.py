"""GET /api/search/suggest/: titles and terms by prefix in characters, pinyin or initials.

Suggestions come from the database index, which is kept on both backends; `library` runs each
test once per backend all the same, to show the Elasticsearch configuration answers them too."""

from tests.factories import CasePageFactory, publish


def suggest(client, q):
    response = client.get("/api/search/suggest/", {"q": q})
    assert response.status_code == 200, response.content
    return response.json()["suggestions"]


def texts(suggestions):
    return [s["text"] for s in suggestions]


def test_a_title_is_suggested_by_its_first_characters(client, library):
    suggestions = suggest(client, "老旧")
    assert {"text": "老旧小区停车难的协商", "url": library["parking"].url, "type": "case"} in suggestions


def test_a_traditional_prefix_suggests_simplified_text(client, library):
    assert "老旧小区停车难的协商" in texts(suggest(client, "老舊"))


def test_pinyin_and_initials_suggest_titles_places_and_terms(client, library, indexes):
    publish(
        CasePageFactory(
            parent=indexes["case"], title="成都社区基金的故事", summary="一个社区基金。", live=False
        )
    )
    assert "成都社区基金的故事" in texts(suggest(client, "cdsq"))
    assert "成都社区基金的故事" in texts(suggest(client, "chengdu she"))
    assert {
        "text": "成都市",
        "url": "/search/?region=%E5%9B%9B%E5%B7%9D%E7%9C%81%2F%E6%88%90%E9%83%BD%E5%B8%82",
        "type": "region",
    } in suggest(client, "chengdu")
    assert {
        "text": "停车难",
        "url": "/search/?issue=%E5%81%9C%E8%BD%A6%E9%9A%BE",
        "type": "issue",
    } in suggest(client, "tcn")
    assert "业委会" in texts(suggest(client, "ywh"))  # an organisation (actor)
    issuer = {
        "text": "成都市人大常委会",
        "url": "/search/?issuer=%E6%88%90%E9%83%BD%E5%B8%82%E4%BA%BA%E5%A4%A7%E5%B8%B8%E5%A7%94%E4%BC%9A",
        "type": "issuer",
    }  # the authority that issued a policy
    assert issuer in suggest(client, "成都市人大") and issuer in suggest(client, "cdsrd")


def test_terms_no_page_carries_are_not_suggested(client, library):
    assert "停车难" in texts(suggest(client, "停车"))
    library["parking"].unpublish()
    assert "停车难" not in texts(suggest(client, "停车"))
    assert "老旧小区停车难的协商" not in texts(suggest(client, "老旧"))


def test_at_most_ten_suggestions(client, library, indexes):
    for i in range(12):
        publish(
            CasePageFactory(parent=indexes["case"], title=f"社区花园第{i}号", summary="花园。", live=False)
        )
    assert len(suggest(client, "社区花园")) == 10


def test_nothing_to_suggest_and_bad_input(client, library):
    assert suggest(client, "") == []
    assert suggest(client, "zzzzqqq") == []
    response = client.get("/api/search/suggest/", {"q": "长" * 201})
    assert response.status_code == 400
    assert "过长" in response.json()["error"]


def test_every_search_box_offers_suggestions_and_still_works_without_javascript(client, library):
    page = client.get("/").content.decode()
    assert 'data-suggest="/api/search/suggest/"' in page and "js/suggest.js" in page
    assert 'action="/search/"' in page  # a plain form submit without JavaScript
