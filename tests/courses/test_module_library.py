"""The module library (课程模块库) and reuse: copy from the library, duplicate, save to the library."""

from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from kb.courses.models import CourseModule, CoursePage, ModuleTemplate
from kb.vocabularies.models import Method
from search.documents import build_document
from tests.courses.conftest import NOTES


def library_module(linked_pages, **fields):
    template = ModuleTemplate(
        title="模拟议事会",
        minutes=90,
        exercise_minutes=60,
        objectives="练习表决",
        activity="分组模拟一次议事。",
        instructor_notes="库里的讲师备注",
        method=Method.objects.get(name="居民议事会"),
        **fields,
    )
    template.cases = [linked_pages["case"]]
    template.principles = [linked_pages["principle"]]
    template.save()
    return template


def course_form(title, slug, modules, **extra):
    data = nested_form_data(
        {"title": title, "slug": slug, "body": streamfield([]), "modules": inline_formset(modules)}
    )
    data.update(extra)
    return data


def add_course_url(indexes):
    model = CoursePage._meta
    return f"/admin/pages/add/{model.app_label}/{model.model_name}/{indexes['course'].pk}/"


def test_choosing_a_library_module_for_an_empty_row_copies_it(admin_client, indexes, linked_pages):
    template = library_module(linked_pages)
    data = course_form(
        "议事课",
        "yishi-ke",
        [{"library_module": template.pk}, {"title": "自己写的单元", "minutes": 30}],
        **{"action-publish": "publish"},
    )
    response = admin_client.post(add_course_url(indexes), data)
    assert response.status_code == 302, response.context["form"].formsets["modules"].errors
    course = CoursePage.objects.get(slug="yishi-ke")
    copied, own = course.modules.all()
    assert (copied.title, copied.minutes, copied.exercise_minutes, copied.library_module) == (
        "模拟议事会",
        90,
        60,
        template,
    )
    assert copied.instructor_notes == "库里的讲师备注" and copied.method.name == "居民议事会"
    assert list(copied.cases.all()) == [linked_pages["case"]]
    assert own.title == "自己写的单元" and own.library_module is None
    assert course.total_minutes == 120
    # The copy is independent: editing the library leaves the course alone.
    template.title = "模拟议事会（新版）"
    template.save()
    assert course.modules.first().title == "模拟议事会"
    assert list(template.courses()) == [course]


def test_a_row_needs_a_title_or_a_library_module(admin_client, indexes):
    response = admin_client.post(add_course_url(indexes), course_form("空课", "kong-ke", [{"minutes": 30}]))
    assert response.status_code == 200
    assert "请填写单元名称" in str(response.context["form"].formsets["modules"].errors)


def test_exercise_cannot_exceed_the_module(admin_client, indexes):
    data = course_form("错课", "cuo-ke", [{"title": "单元", "minutes": 30, "exercise_minutes": 45}])
    response = admin_client.post(add_course_url(indexes), data)
    assert "练习时间不能超过单元时长" in str(response.context["form"].formsets["modules"].errors)


def test_module_tools_duplicate_a_module_as_a_draft(admin_client, course):
    url = reverse("course_module_tools", args=[course.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and "复制本单元" in page.content.decode()
    response = admin_client.post(url, {"action": "duplicate", "position": 0, "title": "分析社区"})
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.has_unpublished_changes
    draft = course.get_latest_revision_as_object()
    assert [m.title for m in draft.modules.all()] == ["分析社区", "分析社区（副本）", "撰写项目申请"]
    duplicate = draft.modules.all()[1]
    assert duplicate.instructor_notes == NOTES and duplicate.cases.all()[0].title == "金华里新居民之家"
    # The live course is unchanged until the trainer publishes.
    assert [m.title for m in course.modules.all()] == ["分析社区", "撰写项目申请"]


def test_module_tools_refuse_a_stale_position(admin_client, course):
    url = reverse("course_module_tools", args=[course.pk])
    admin_client.post(url, {"action": "duplicate", "position": 0, "title": "别的单元"})
    course.refresh_from_db()
    assert not course.has_unpublished_changes


def test_module_tools_save_to_library_and_add_from_library(admin_client, course, indexes):
    url = reverse("course_module_tools", args=[course.pk])
    admin_client.post(url, {"action": "to_library", "position": 0, "title": "分析社区"})
    template = ModuleTemplate.objects.get(title="分析社区")
    assert template.minutes == 150 and template.instructor_notes == NOTES
    assert [c.title for c in template.cases.all()] == ["金华里新居民之家"]

    other = CoursePage(title="另一门课", slug="another")
    indexes["course"].add_child(instance=other)
    other_url = reverse("course_module_tools", args=[other.pk])
    response = admin_client.post(other_url, {"action": "add", "library_modules": [template.pk]})
    assert response.status_code == 302
    draft = CoursePage.objects.get(pk=other.pk).get_latest_revision_as_object()
    [module] = draft.modules.all()
    assert (module.title, module.minutes, module.library_module) == ("分析社区", 150, template)


def test_module_tools_need_edit_permission(client, course, django_user_model):
    user = django_user_model.objects.create_user("reader", password="pw")
    client.force_login(user)
    assert client.get(reverse("course_module_tools", args=[course.pk])).status_code in (302, 403)


def test_course_editor_links_to_module_tools(admin_client, course):
    html = admin_client.get(f"/admin/pages/{course.pk}/edit/").content.decode()
    assert reverse("course_module_tools", args=[course.pk]) in html
    assert "来自模块库" in html and "用模块库内容填充" in html


def test_library_snippet_admin_lists_creates_and_copies(admin_client, linked_pages):
    template = library_module(linked_pages)
    listing = admin_client.get("/admin/snippets/courses/moduletemplate/")
    assert listing.status_code == 200 and "模拟议事会" in listing.content.decode()
    copy = admin_client.get(f"/admin/snippets/courses/moduletemplate/copy/{template.pk}/")
    assert copy.status_code == 200 and "库里的讲师备注" in copy.content.decode()
    data = {
        "title": "模拟议事会",
        "minutes": 60,
        "exercise_minutes": 0,
    }
    duplicate = admin_client.post("/admin/snippets/courses/moduletemplate/add/", data)
    assert duplicate.status_code == 200  # library titles are unique
    assert "模块库中已有同名模块" in duplicate.content.decode()
    data["title"] = "模拟议事会（晚间版）"
    assert admin_client.post("/admin/snippets/courses/moduletemplate/add/", data).status_code == 302
    assert ModuleTemplate.objects.count() == 2


def test_instructor_notes_are_never_indexed(course):
    for field in CoursePage.search_fields:
        for child in getattr(field, "fields", []):
            assert child.field_name != "instructor_notes"
    assert all(field.field_name != "instructor_notes" for field in ModuleTemplate.search_fields)
    document = build_document(course)
    assert NOTES not in document.body and NOTES not in document.terms
    # What participants see is searchable: the questions a module answers and its key points.
    assert "我们社区住着谁" in document.body and "先看资源再看问题" in document.body


def test_course_module_copy_keeps_relations(course):
    module = course.modules.first()
    copy = module.copy_content_to(CourseModule())
    assert copy.title == module.title and list(copy.policies.all()) == list(module.policies.all())
