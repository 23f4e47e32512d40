from tests.factories import (
    CasePageFactory,
    CourseModuleFactory,
    CoursePageFactory,
    PrinciplePageFactory,
    publish,
)


def test_principle_lists_the_pages_that_link_to_it(client, indexes):
    principle = PrinciplePageFactory(
        parent=indexes["principle"], title="权责对等原则", group="六原则", order=5
    )
    sibling = PrinciplePageFactory(parent=indexes["principle"], title="可持续原则", group="六原则", order=6)
    case = CasePageFactory(parent=indexes["case"], title="志愿者的付出")
    case.principles = [principle]
    publish(case)
    course = CoursePageFactory(parent=indexes["course"], title="议事规则课")
    module = CourseModuleFactory.build(title="权责与规则", minutes=45)
    module.principles = [principle]
    course.modules = [module]
    publish(course)

    assert list(principle.linked_cases) == [case]
    assert list(principle.linked_courses) == [course]
    assert list(principle.siblings_in_group) == [sibling]
    html = client.get(principle.url).content.decode()
    for text in ("六原则", "志愿者的付出", "议事规则课", "可持续原则"):
        assert text in html, text


def test_principle_index_groups_families_in_order(client, indexes):
    PrinciplePageFactory(parent=indexes["principle"], title="第二条", group="六原则", order=2)
    PrinciplePageFactory(parent=indexes["principle"], title="第一条", group="六原则", order=1)
    PrinciplePageFactory(parent=indexes["principle"], title="微机制", group="六微", order=1)
    html = client.get(indexes["principle"].url).content.decode()
    assert html.index("第一条") < html.index("第二条")
    assert "六原则" in html and "六微" in html
