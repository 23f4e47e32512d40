"""Trainers assemble a course in the admin: modules with their own links to cases and principles."""

from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from kb.courses.models import CoursePage
from kb.vocabularies.models import Audience, Method
from tests.factories import CasePageFactory, PrinciplePageFactory


def test_course_with_linked_modules_can_be_created_and_published_in_the_admin(admin_client, indexes):
    case = CasePageFactory(parent=indexes["case"], title="金华里新居民之家")
    principle = PrinciplePageFactory(parent=indexes["principle"], title="居民主体原则")
    data = nested_form_data(
        {
            "title": "社区议事入门",
            "slug": "yishi-rumen",
            "body": streamfield([]),
            "modules": inline_formset(
                [
                    {
                        "title": "为什么要议事",
                        "minutes": 30,
                        "method": Method.objects.get(name="民主协商").pk,
                    },
                    {"title": "模拟议事会", "minutes": 60},
                ]
            ),
        }
    )
    # Multi-selects post repeated keys, which nested_form_data would flatten into "-0" suffixes.
    data.update(
        {
            "audience": [Audience.objects.get(name="居民").pk],
            "modules-0-cases": [case.pk],
            "modules-0-principles": [principle.pk],
            "action-publish": "publish",
        }
    )
    model = CoursePage._meta
    response = admin_client.post(
        f"/admin/pages/add/{model.app_label}/{model.model_name}/{indexes['course'].pk}/", data
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    course = CoursePage.objects.get(slug="yishi-rumen")
    assert course.live and course.total_minutes == 90
    assert [a.name for a in course.audience.all()] == ["居民"]
    first = course.modules.first()
    assert list(first.cases.all()) == [case] and list(first.principles.all()) == [principle]
    assert list(principle.linked_courses) == [course]

    response = admin_client.get(f"/admin/pages/{course.pk}/edit/")
    assert response.status_code == 200
    assert "为什么要议事" in response.content.decode()
