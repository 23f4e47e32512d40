"""Admin: the module library (课程模块库) as a snippet, and the module tools of a course."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.widgets import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_views
from .models import CoursePage, ModuleTemplate


class ModuleTemplateViewSet(SnippetViewSet):
    """Trainers need only the snippet permissions on this model plus page permissions on courses."""

    model = ModuleTemplate
    icon = "list-ul"
    menu_label = "课程模块库"
    menu_order = 250
    add_to_admin_menu = True
    list_display = ["title", "duration_column", "method", "usage_count", "updated_at"]
    list_filter = ["method"]
    search_fields = ["title", "questions", "objectives", "activity"]
    ordering = ["title"]
    inspect_view_enabled = True
    inspect_view_fields = [
        "title", "minutes", "exercise_minutes", "questions", "objectives", "key_points",
        "activity", "method", "instructor_notes", "materials", "cases", "principles", "policies",
    ]  # fmt: skip


register_snippet(ModuleTemplateViewSet)


@hooks.register("register_admin_urls")
def module_tools_urls():
    return [
        path(
            "courses/<int:page_id>/modules/",
            admin_views.module_tools,
            name="course_module_tools",
        ),
    ]


@hooks.register("register_page_header_buttons")
def module_tools_button(page, user, view_name, next_url=None):
    if page.specific_class is CoursePage and page.permissions_for_user(user).can_edit():
        yield Button(
            "单元工具：复制单元、存入或取自模块库",
            reverse("course_module_tools", args=[page.pk]),
            icon_name="list-ul",
            priority=35,
        )
