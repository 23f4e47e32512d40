"""Relations between pages are chosen through Wagtail's searchable page chooser (several at once),
never from a list of every page; course vocabularies are ticked like those of cases and policies."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb.cases.models import CasePage
from kb.core.widgets import PageMultipleChooser
from kb.courses.models import CoursePage
from kb.policies.models import PolicyPage
from kb.vocabularies.models import Audience, Issue
from tests.factories import CasePageFactory, CoursePageFactory, PolicyPageFactory, PrinciplePageFactory

from .conftest import add_url, edit_url, page_form


def chooser(html, name):
    """The markup of the chooser widget for field `name`."""
    match = re.search(
        rf'<div class="kb-page-chooser" data-kb-page-chooser data-name="{name}".*?</div>', html, re.S
    )
    assert match, f"no page chooser for {name}"
    return match.group(0)


def test_a_case_edit_view_shows_only_the_chosen_pages_with_a_searchable_chooser(as_user, indexes, moderator):
    chosen = PolicyPageFactory(parent=indexes["policy"], title="已选政策")
    for number in range(30):
        PolicyPageFactory(parent=indexes["policy"], title=f"未选政策{number}")
    neighbour = CasePageFactory(parent=indexes["case"], title="相邻案例")
    case = CasePageFactory(parent=indexes["case"], title="选择器案例")
    case.policies.set([chosen])
    case.related_cases.set([neighbour])
    case.save_revision().publish()

    html = as_user(moderator).get(edit_url(case)).content.decode()
    policies = chooser(html, "policies")
    assert f'name="policies" value="{chosen.pk}"' in policies and "已选政策" in policies
    assert "未选政策" not in html  # the other 30 policies are not in the page at all
    assert 'data-model-name="policies.policypage"' in policies
    assert 'data-chooser-url="/admin/choose-page/"' in policies
    assert "添加政策（可搜索、可多选）" in policies
    assert "移除" in policies
    assert f'value="{neighbour.pk}"' in chooser(html, "related_cases")
    assert "尚未选择原则" in chooser(html, "principles")
    assert "js/admin/page-multiple-chooser.js" in html and "wagtailadmin/js/page-chooser-modal.js" in html
    assert '<select name="policies"' not in html and 'type="checkbox" name="policies"' not in html


def test_the_widget_reads_only_the_chosen_pages_however_many_there_are(indexes):
    pages = [PolicyPageFactory(parent=indexes["policy"], title=f"政策{number}") for number in range(40)]
    field = PolicyPage._meta.get_field("related_policies").formfield(widget=PageMultipleChooser)
    with CaptureQueriesContext(connection) as queries:
        html = field.widget.render("related_policies", [pages[3].pk, pages[1].pk])
    assert len(queries) == 1, [
        query["sql"] for query in queries
    ]  # the two chosen pages; the choice list is never iterated
    assert html.index("政策3") < html.index("政策1")  # in the order given
    assert "政策2" not in html


def test_the_page_chooser_searches_the_type_server_side(as_user, indexes, moderator):
    """What the 添加 button opens: Wagtail's chooser, restricted to the type, searching."""
    PolicyPageFactory(parent=indexes["policy"], title="社区减负十条")
    PolicyPageFactory(parent=indexes["policy"], title="城乡社区发展治理条例")
    CasePageFactory(parent=indexes["case"], title="社区减负的案例")
    response = as_user(moderator).get(
        "/admin/choose-page/search/", {"q": "减负", "page_type": "policies.policypage", "multiple": "1"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "社区减负十条" in html and "城乡社区发展治理条例" not in html
    assert "社区减负的案例" not in html  # another type
    assert "data-multiple-choice-select" in html  # several can be ticked at once


def test_relations_chosen_in_the_chooser_are_saved_through_the_admin_form(as_user, indexes, moderator):
    principle = PrinciplePageFactory(parent=indexes["principle"], title="居民主体原则")
    first = PolicyPageFactory(parent=indexes["policy"], title="第一份政策")
    second = PolicyPageFactory(parent=indexes["policy"], title="第二份政策")
    kept = PolicyPageFactory(parent=indexes["policy"], title="原有政策")
    policy = PolicyPageFactory(parent=indexes["policy"], title="被编辑的政策")
    policy.related_policies.set([kept])
    policy.save_revision().publish()

    client = as_user(moderator)
    url = edit_url(policy)
    data = page_form(client, url)
    assert data.getlist("related_policies") == [str(kept.pk)]  # the hidden input of the chosen page
    # What the chooser's JavaScript adds: one hidden input per page ticked in the modal.
    data.setlist("related_policies", [str(kept.pk), str(first.pk), str(second.pk)])
    data.setlist("based_on", [str(first.pk)])
    data.setlist("principles", [str(principle.pk)])
    data["action-publish"] = "action-publish"
    response = client.post(url, dict(data.lists()))
    assert response.status_code == 302, response.content.decode()[:2000]
    policy = PolicyPage.objects.get(pk=policy.pk)
    assert set(policy.related_policies.all()) == {kept, first, second}
    assert list(policy.based_on.all()) == [first]
    assert list(policy.principles.all()) == [principle]

    # 移除 takes a page's hidden input away: all removed, none posted, the relation is emptied.
    data = page_form(client, url)
    data.setlist("related_policies", [])
    data["action-publish"] = "action-publish"
    assert client.post(url, dict(data.lists())).status_code == 302
    assert not PolicyPage.objects.get(pk=policy.pk).related_policies.exists()


def test_a_page_of_another_type_is_refused_with_a_chinese_error(as_user, indexes, moderator):
    case = CasePageFactory(parent=indexes["case"], title="不是政策")
    policy = PolicyPageFactory(parent=indexes["policy"], title="只收政策")
    policy.save_revision().publish()
    client = as_user(moderator)
    data = page_form(client, edit_url(policy))
    data.setlist("related_policies", [str(case.pk)])
    data["action-publish"] = "action-publish"
    response = client.post(edit_url(policy), dict(data.lists()))
    assert response.status_code == 200
    assert "不是可用的选项" in response.content.decode() or "选择一个有效的选项" in response.content.decode()


def test_course_vocabularies_are_checkboxes_and_its_relations_use_the_chooser(as_user, indexes, moderator):
    client = as_user(moderator)
    url = add_url(indexes["course"], CoursePage)
    html = client.get(url).content.decode()
    for name in ("audience", "issues", "actors", "methods"):
        assert f'type="checkbox" name="{name}"' in html, name
        assert f'<select name="{name}"' not in html
    for name in ("principles", "policies", "cases"):
        chooser(html, name)
    # the module rows (and the template the 添加单元 button copies) use it too
    chooser(html, "modules-__prefix__-cases")


def test_ticked_course_vocabularies_are_saved_through_the_admin_form(as_user, indexes, moderator):
    course = CoursePageFactory(parent=indexes["course"], title="勾选培训对象的课程")
    course.save_revision().publish()
    case = CasePageFactory(parent=indexes["case"], title="课程引用的案例")
    client = as_user(moderator)
    url = edit_url(course)
    data = page_form(client, url)
    backbone, residents = Audience.objects.get(name="社区骨干"), Audience.objects.get(name="居民")
    parking = Issue.objects.get(name="停车难")
    data.setlist("audience", [str(backbone.pk), str(residents.pk)])
    data.setlist("issues", [str(parking.pk)])
    data.setlist("cases", [str(case.pk)])
    data["action-publish"] = "action-publish"
    response = client.post(url, dict(data.lists()))
    assert response.status_code == 302, response.content.decode()[:2000]
    course = CoursePage.objects.get(pk=course.pk)
    assert set(course.audience.all()) == {backbone, residents}
    assert list(course.issues.all()) == [parking]
    assert list(course.cases.all()) == [case]
    html = client.get(url).content.decode()
    assert re.search(rf'type="checkbox" name="audience" value="{backbone.pk}"[^>]*checked', html)
    assert f'name="cases" value="{case.pk}"' in chooser(html, "cases")


def test_a_saved_case_keeps_its_chosen_relations_on_a_draft_save(as_user, indexes, moderator):
    principle = PrinciplePageFactory(parent=indexes["principle"], title="过程导向原则")
    client = as_user(moderator)
    url = add_url(indexes["case"], CasePage)
    data = {key: value for key, value in page_form(client, url).lists() if not key.startswith("body")}
    from django.http import QueryDict

    posted = QueryDict(mutable=True)
    for key, values in data.items():
        posted.setlist(key, values)
    posted.update({"title": "带原则的案例", "slug": "with-principle", "body-count": "0"})
    posted.setlist("principles", [str(principle.pk)])
    response = client.post(url, posted)
    assert response.status_code == 302, response.content.decode()[:2000]
    case = CasePage.objects.get(slug="with-principle")
    draft = case.get_latest_revision_as_object()
    assert list(draft.principles.all()) == [principle]
