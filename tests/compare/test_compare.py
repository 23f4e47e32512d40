"""GET /compare/?pages=…: 2 to 4 cases side by side; the 加入对比 tray works with plain forms."""

import pytest

from tests.factories import CasePageFactory, publish


def section(kind, text):
    return ("section", {"kind": kind, "heading": "", "content": f"<p>{text}</p>"})


@pytest.fixture
def cases(indexes):
    def case(slug, title, body):
        return publish(
            CasePageFactory(
                parent=indexes["case"], slug=slug, title=title, scale=f"{title}规模", body=body, live=False
            )
        )

    return [
        case("a", "甲社区", [section("background", "甲的背景"), section("lessons", "甲的反思")]),
        case("b", "乙社区", [section("background", "乙的背景")]),
        case("c", "丙社区", []),
    ]


def test_two_cases_side_by_side(client, cases):
    response = client.get("/compare/", {"pages": ["a", str(cases[1].pk)]})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("甲社区") < html.index("乙社区")
    for text in (
        "规模",
        "甲社区规模",
        "背景与问题",
        "甲的背景",
        "乙的背景",
        "经验与反思",
        "甲的反思",
        "未写此栏",
    ):
        assert text in html
    assert "过程与方法" not in html  # no case has that section


@pytest.mark.parametrize(
    ("pages", "message"),
    [
        (["a"], "至少选择 2 个"),
        (["a", "b", "c", "x", "y"], "最多对比 4 个"),
        (["a", "nope"], "找不到这些案例：nope"),
    ],
)
def test_clear_errors(client, cases, pages, message):
    response = client.get("/compare/", {"pages": pages})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_draft_cases_are_not_compared(client, cases, indexes):
    CasePageFactory(parent=indexes["case"], slug="draft", title="草稿", live=False)
    assert client.get("/compare/", {"pages": ["a", "draft"]}).status_code == 400


def test_add_to_comparison_without_javascript(client, cases):
    html = client.get(cases[0].url).content.decode()
    assert "加入对比" in html and 'form="compare-form"' in html
    for case in cases[:2]:
        response = client.post("/compare/add/", {"page": case.pk, "next": case.url})
        assert response.status_code == 302 and response["Location"] == case.url
    html = client.get(cases[2].url).content.decode()
    assert "对比栏（2/4）" in html and "/compare/?pages=a&amp;pages=b" in html
    assert client.get("/compare/")["Location"] == "/compare/?pages=a&pages=b"
    client.post("/compare/remove/", {"page": cases[0].pk})
    assert client.get("/compare/").status_code == 200  # one left: guidance, not a comparison
    assert (
        client.post("/compare/add/", {"page": "1", "next": "https://evil.example/"})["Location"]
        == "/compare/"
    )
