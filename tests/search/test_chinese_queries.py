"""Traditional characters, pinyin, exact phrases, synonyms and relaxed matches (issues 10 and 15),
on each backend: the `library` runs every test once on the database and once on Elasticsearch."""

import pytest

from kb.vocabularies.models import Issue
from tests.factories import CasePageFactory, PrinciplePageFactory, publish
from tests.search.helpers import api, titles


def case(indexes, title, summary, body="", issues=()):
    page = CasePageFactory(
        parent=indexes["case"],
        title=title,
        summary=summary,
        live=False,
        body=[("section", {"kind": "background", "heading": "", "content": f"<p>{body}</p>"})]
        if body
        else [],
    )
    page.issues = [Issue.objects.get(name=name) for name in issues]
    return publish(page)


@pytest.fixture
def more(library, indexes):
    """Pages written the ways the rules are about, beside the shared library."""
    return {
        "traditional": case(indexes, "加裝電梯的協商", "社區居民討論加裝電梯與補償。"),
        "shared_parking": case(indexes, "共享停车试点", "错时共享停车缓解夜间车位不足。"),
        "parking_shared": case(indexes, "小区车位整治", "先停车后共享的做法引发争议。"),
        "bribes": case(indexes, "整治吃拿卡要", "街道公开办事流程，杜绝吃拿卡要。"),
        "seniors": case(indexes, "老年人食堂", "为社区老年人提供午餐。"),
        "community_building": case(indexes, "社区营造十年", "一个街道的社区营造经验。"),
    }


# -- traditional and simplified ---------------------------------------------------------------


def test_a_traditional_query_finds_simplified_pages(client, more):
    assert titles(api(client, q="停車"))[0] == "老旧小区停车难的协商"


def test_a_simplified_query_finds_a_traditional_page_and_marks_its_own_characters(client, more):
    data = api(client, q="加装电梯")
    assert titles(data) == ["加裝電梯的協商"]
    assert "<mark>加裝電梯</mark>" in data["results"][0]["highlight"]


# -- pinyin -----------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["tingche", "ting che", "TingChe"])
def test_pinyin_finds_the_chinese_it_spells(client, more, query):
    assert "老旧小区停车难的协商" in titles(api(client, q=query))


def test_pinyin_marks_the_chinese_it_matched(client, more):
    data = api(client, q="jia zhuang dian ti")
    assert titles(data) == ["加裝電梯的協商"]
    assert "<mark>加裝電梯</mark>" in data["results"][0]["highlight"]


def test_pinyin_ranks_below_an_exact_chinese_match(client, more):
    # 老年人 as typed (the canteen) first; 老人 of the elderly case only by its reading lao ren.
    found = titles(api(client, q="laonianren"))
    assert found[0] == "老年人食堂"


def test_pinyin_ranks_as_the_characters_do_a_title_above_a_body(client, indexes, library):
    """Pinyin is weighted by field as the words are: the same name in pinyin and in characters
    puts the page naming him in its title first, though the body mentions him more often."""
    in_body = case(
        indexes, "楼道议事会的一年", "居民议事的记录。", body="陶建华说过。陶建华也来了。陶建华总结。"
    )
    in_title = case(indexes, "陶建华谈社区议事", "一次分享的整理。", body="社区议事的经验。")
    for query in ("陶建华", "taojianhua", "tao jianhua"):
        found = titles(api(client, q=query))
        assert found[:2] == [in_title.title, in_body.title], query


def test_a_pinyin_phrase_does_not_run_from_one_field_into_the_next(client, indexes, library):
    # 停 ends the title and 车 starts the summary: ting che is not a word of this page.
    case(indexes, "社区门口禁止乱停", "车辆管理的经验。")
    assert "社区门口禁止乱停" not in titles(api(client, q="tingche"))


def test_an_english_word_is_not_read_as_pinyin(client, more):
    assert "整治吃拿卡要" in titles(api(client, q="chinakayao"))
    assert titles(api(client, q="china")) == []  # would read chi na (吃拿)


def test_a_number_is_not_read_as_pinyin(client, more):
    assert titles(api(client, q="2015")) == []


# -- exact phrases ----------------------------------------------------------------------------


def test_unquoted_words_also_match_apart(client, more):
    assert set(titles(api(client, q="共享停车"))) >= {"共享停车试点", "小区车位整治"}


@pytest.mark.parametrize("query", ['"共享停车"', "“共享停车”"])
def test_a_quoted_phrase_matches_only_in_that_order(client, more, query):
    assert titles(api(client, q=query)) == ["共享停车试点"]


def test_a_phrase_mixed_with_a_word(client, more):
    assert titles(api(client, q='"加装电梯" 补偿')) == ["加裝電梯的協商"]
    assert titles(api(client, q='"电梯加装" 补偿')) == []


def test_a_quoted_phrase_is_not_relaxed(client, more):
    data = api(client, q='"养老院"')
    assert data["total"] == 0
    assert data["notice"] is None


# -- synonyms, near-synonyms and relaxation ----------------------------------------------------


def test_a_new_abbreviation_finds_its_full_form(client, more):
    assert titles(api(client, q="社造")) == ["社区营造十年"]


def test_near_synonyms_rank_below_the_word_as_typed(client, more):
    data = api(client, q="老年人")
    assert titles(data)[:2] == ["老年人食堂", "助老服务队"]  # 老人 in the elderly case's body
    assert data["notice"] is None


def test_a_near_synonym_stands_in_when_the_word_finds_nothing(client, more):
    data = api(client, q="养狗")
    assert titles(data) == ["铲屎官小队"]
    assert data["relaxed"] == ["养狗"]
    assert data["notice"] == "未找到‘养狗’，显示相近结果"


def test_a_word_that_finds_nothing_is_relaxed_and_the_page_says_so(client, more):
    data = api(client, q="养老院")
    assert titles(data) == ["助老服务队"]  # tagged 养老服务
    assert data["notice"] == "未找到‘养老院’，显示相近结果"
    response = client.get("/search/", {"q": "养老院"})
    assert "未找到‘养老院’，显示相近结果" in response.content.decode()


def test_a_word_that_is_found_is_not_relaxed(client, more):
    data = api(client, q="停车位")
    assert "老旧小区停车难的协商" in titles(data)
    assert "共享停车试点" not in titles(data)  # 停车 and 车位, but never 停车位
    assert data["relaxed"] == []


def test_pages_tagged_with_the_issue_rank_above_pages_that_mention_it(client, more, indexes):
    publish(
        PrinciplePageFactory(
            parent=indexes["principle"],
            title="停车难题的协商原则",
            summary="停车难、停车贵，先协商。",
            live=False,
        )
    )
    assert titles(api(client, q="停车难"))[0] == "老旧小区停车难的协商"
