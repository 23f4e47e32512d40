"""The course editor's module rows: a form that copies from the module library on save."""

from django import forms
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import InlinePanel
from wagtail.admin.panels.base import get_form_for_model


class CourseModuleForm(WagtailAdminModelForm):
    """A module row; with a library module chosen, empty rows (or ticked ones) take its content.

    Copying happens in `clean`, on the submitted data only: a preview or a failed save changes
    nothing in the database, and the copied values are what the page revision stores.
    """

    copy_from_library = forms.BooleanField(
        label="用模块库内容填充",
        required=False,
        help_text="勾选后保存，会用所选模块库模块的内容覆盖本单元已填写的内容。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A row chosen from the library may leave these empty; `clean` requires them otherwise.
        for name in ("title", "minutes"):
            if name in self.fields:
                self.fields[name].required = False

    def clean(self):
        data = super().clean()
        library_module = data.get("library_module")
        if library_module is not None and (data.get("copy_from_library") or not data.get("title")):
            for name in library_module.COPIED_FIELDS:
                if name in self.fields:
                    data[name] = getattr(library_module, name)
            for name in library_module.COPIED_RELATIONS:
                if name in self.fields:
                    data[name] = list(getattr(library_module, name).all())
        if data.get("exercise_minutes") is None:
            data["exercise_minutes"] = 0
        if not data.get("title"):
            self.add_error("title", "请填写单元名称，或在“来自模块库”中选一个模块。")
        if data.get("minutes") in (None, ""):
            self.add_error("minutes", "请填写时长（分钟）。")
        elif (data.get("exercise_minutes") or 0) > data["minutes"]:
            self.add_error("exercise_minutes", "练习时间不能超过单元时长。")
        return data


class ModuleInlinePanel(InlinePanel):
    """An InlinePanel whose rows use `CourseModuleForm` (InlinePanel has no option for a row form)."""

    form_class = CourseModuleForm

    def get_form_options(self):
        options = super().get_form_options()
        formset = options["formsets"][self.relation_name]
        deferred = self.child_edit_handler.get_form_options().get("defer_required_on_fields")
        extra = {"defer_required_on_fields": deferred} if deferred else {}
        formset["form"] = get_form_for_model(self.db_field.related_model, form_class=self.form_class, **extra)
        return options
