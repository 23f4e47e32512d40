"""Module tools of one course (单元工具): duplicate a module, save it to the library, add from it.

Each change to the course is saved as a new draft revision of the course's latest state, never
published here: the trainer reviews it in the editor and submits it for review as usual. Modules are named
by their position in that latest revision (rows of an unpublished draft have no database id yet),
and the form also posts the module's title, so a course changed meanwhile is not edited blindly.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from .models import CourseModule, CoursePage, ModuleTemplate

LIBRARY_USE_PERMISSIONS = (
    "courses.view_moduletemplate",
    "courses.add_moduletemplate",
    "courses.change_moduletemplate",
)


class AddFromLibraryForm(forms.Form):
    library_modules = forms.ModelMultipleChoiceField(
        label="选择模块库中的模块（按所选顺序追加到课程末尾）",
        queryset=ModuleTemplate.objects.order_by("title"),
        widget=forms.CheckboxSelectMultiple,
    )


def can_use_library(user):
    return any(user.has_perm(permission) for permission in LIBRARY_USE_PERMISSIONS)


def copy_of(module, **changes):
    new = module.copy_content_to(CourseModule())
    new.library_module = module.library_module if isinstance(module, CourseModule) else module
    for name, value in changes.items():
        setattr(new, name, value)
    return new


def save_modules(request, page, modules, message):
    for position, module in enumerate(modules):
        module.sort_order = position  # the rows' order is the list's: modelcluster leaves it to forms
    page.modules = modules
    page.save_revision(user=request.user, log_action=True)
    messages.success(request, message + "已保存为草稿，请在编辑页检查后提交审核。")


@require_http_methods(["GET", "POST"])
def module_tools(request, page_id):
    course = get_object_or_404(CoursePage, pk=page_id)
    permissions = course.permissions_for_user(request.user)
    if not permissions.can_edit():
        raise PermissionDenied
    page = course.get_latest_revision_as_object()
    modules = list(page.modules.all())
    here = reverse("course_module_tools", args=[course.pk])
    add_form = AddFromLibraryForm(request.POST if request.POST.get("action") == "add" else None)

    if request.method == "POST":
        if course.locked and course.locked_by_id != request.user.pk:
            messages.error(request, "这门课程已被锁定，暂时不能修改。")
            return redirect(here)
        action = request.POST.get("action")
        if action == "add":
            if not can_use_library(request.user):
                raise PermissionDenied
            if add_form.is_valid():
                chosen = add_form.cleaned_data["library_modules"]
                added = [copy_of(template) for template in chosen]
                save_modules(request, page, modules + added, f"已从模块库添加{len(added)}个单元。")
                return redirect(here)
        else:
            try:
                position = int(request.POST.get("position", ""))
                module = modules[position]
            except (ValueError, IndexError):
                module = None
            if module is None or module.title != request.POST.get("title"):
                messages.error(request, "课程单元已经变动，请看一下最新的单元列表后再操作。")
                return redirect(here)
            if action == "duplicate":
                modules.insert(position + 1, copy_of(module, title=f"{module.title}（副本）"))
                save_modules(request, page, modules, f"已复制第{position + 1}单元“{module.title}”。")
                return redirect(here)
            if action == "to_library":
                if not request.user.has_perm("courses.add_moduletemplate"):
                    raise PermissionDenied
                if ModuleTemplate.objects.filter(title=module.title).exists():
                    messages.error(
                        request, f"模块库中已有“{module.title}”：请先在课程中改名，或到模块库中修改那个模块。"
                    )
                    return redirect(here)
                with transaction.atomic():
                    template = module.copy_content_to(ModuleTemplate())
                    template.save()
                messages.success(request, f"已把“{module.title}”存入课程模块库。")
                return redirect(here)
            messages.error(request, "未知的操作。")
            return redirect(here)

    context = {
        "course": course,
        "page_title": f"单元工具：{course.title}",
        "header_icon": "list-ul",
        "modules": modules,
        "has_draft": course.has_unpublished_changes,
        "add_form": add_form,
        "can_use_library": can_use_library(request.user),
        "can_add_to_library": request.user.has_perm("courses.add_moduletemplate"),
        "library_titles": set(ModuleTemplate.objects.values_list("title", flat=True)),
        "edit_url": reverse("wagtailadmin_pages:edit", args=[course.pk]),
    }
    return TemplateResponse(request, "courses/admin/module_tools.html", context)
