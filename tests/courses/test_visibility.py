"""A private page (view restriction on it or an ancestor) appears on no public page that links it:
linked-page lists both ways, course modules, the handout and API v2."""

from wagtail.models import PageViewRestriction


def make_private(page):
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)


def test_a_private_case_is_on_no_public_course_page_handout_or_api(client, course, linked_pages):
    case = linked_pages["case"]
    assert case.title in client.get(course.url).content.decode()
    make_private(case)
    for url in (course.url, course.participant_handout_url):
        response = client.get(url)
        assert response.status_code == 200 and case.title not in response.content.decode(), url
        assert case.summary not in response.content.decode(), url
    api = client.get(f"/api/v2/pages/{course.pk}/").json()
    assert case.title not in str(api)
    assert client.get(f"/api/v2/pages/{case.pk}/").status_code == 404


def test_a_private_principle_is_not_listed_on_the_case_that_cites_it(client, course, linked_pages):
    principle = linked_pages["principle"]
    make_private(principle)
    assert principle.title not in client.get(course.url).content.decode()
    assert principle.title not in str(client.get(f"/api/v2/pages/{course.pk}/").json())
