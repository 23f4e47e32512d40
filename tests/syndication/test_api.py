"""Wagtail's API v2 serves the library with its structured fields, public content only."""

import pytest

from kb.courses.models import CourseModule
from kb.vocabularies.models import CommunityType, Issue, Region
from tests.factories import CasePageFactory, CoursePageFactory, PrinciplePageFactory, publish


@pytest.fixture
def library(indexes):
    principle = publish(PrinciplePageFactory(parent=indexes["principle"], title="过程导向", live=False))
    case = CasePageFactory(
        parent=indexes["case"],
        title="停车难的协商",
        summary="居民商定车位轮换。",
        region=Region.get_or_create_path("四川省/成都市/武侯区"),
        community_type=CommunityType.objects.get(name="老旧院落"),
        year_start=2015,
        live=False,
    )
    case.issues = [Issue.objects.get(name="停车难")]
    case.principles = [principle]
    case = publish(case)
    course = CoursePageFactory(parent=indexes["course"], title="议事规则微讲坛", live=False)
    module = CourseModule(title="罗伯特议事规则入门", minutes=60, instructor_notes="讲师备注：先做破冰。")
    course.modules = [module]
    course = publish(course)
    draft = CasePageFactory(parent=indexes["case"], title="草稿案例", live=False)
    return {"principle": principle, "case": case, "course": course, "draft": draft}


def get(client, path, **params):
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_cases_are_listed_with_their_structured_fields(client, library):
    data = get(client, "/api/v2/pages/", type="cases.CasePage", fields="*")
    assert [item["title"] for item in data["items"]] == ["停车难的协商"]  # not the draft
    item = data["items"][0]
    assert item["region"] == "四川省/成都市/武侯区"
    assert item["community_type"] == "老旧院落"
    assert item["issues"] == ["停车难"]
    assert item["year_start"] == 2015 and item["summary"] == "居民商定车位轮换。"
    assert item["principles"] == [
        {
            "id": library["principle"].pk,
            "title": "过程导向",
            "url": library["principle"].url,
            "type": "principle",
        }
    ]


def test_a_case_can_be_found_by_its_fields(client, library):
    data = get(client, "/api/v2/pages/", type="cases.CasePage", year_start=2015)
    assert data["meta"]["total_count"] == 1
    assert get(client, "/api/v2/pages/", type="cases.CasePage", year_start=2000)["meta"]["total_count"] == 0


def test_course_modules_are_served_without_instructor_notes(client, library):
    data = get(client, f"/api/v2/pages/{library['course'].pk}/")
    [module] = data["modules"]
    assert module["title"] == "罗伯特议事规则入门" and module["minutes"] == 60
    assert "instructor_notes" not in module
    assert "讲师备注" not in str(data)


def test_drafts_are_not_served(client, library):
    response = client.get(f"/api/v2/pages/{library['draft'].pk}/")
    assert response.status_code == 404


def test_policies_carry_issuers_dates_validity_and_relations(client, indexes):
    from kb.policies.models import PolicyIssuer
    from kb.vocabularies.models import Validity
    from tests.factories import PolicyPageFactory

    old = publish(PolicyPageFactory(parent=indexes["policy"], title="旧办法", live=False))
    new = PolicyPageFactory(
        parent=indexes["policy"],
        title="新办法",
        issued_on="2018-06",
        validity=Validity.objects.get(name="现行有效"),
        live=False,
    )
    new.issuers = [PolicyIssuer(name="成都市人大常委会")]
    new.supersedes = [old]
    new = publish(new)
    data = get(client, f"/api/v2/pages/{new.pk}/")
    assert data["issuers"] == ["成都市人大常委会"] and data["issued_on"] == "2018-06"
    assert data["validity_today"] == "现行有效"
    assert [p["title"] for p in data["supersedes"]] == ["旧办法"]
