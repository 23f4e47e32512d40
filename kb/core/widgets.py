"""Admin widgets shared by the page types.

`PageMultipleChooser` is the widget of the relations between pages (a case's 相关政策, a
policy's 依据, a course module's 案例 …), all `ParentalManyToManyField`s to a page model. Django's
own widgets list every page of that type (a 6-row multi-select where one plain click drops the
selection, or one checkbox per page): at 100,000 pages that is a page of 100,000 options. This
one renders only the pages already chosen, each with a 移除 button, and an 添加 button that opens
Wagtail's page chooser in its multiple-choice mode: the editor browses or searches (server-side,
Wagtail's admin search, paginated), ticks several pages and adds them at once.

The value is posted as one hidden input per chosen page, the same `name=<id>` list a multi-select
posts, so the form field (`ModelMultipleChoiceField`), its validation and saving are Django's.
"""

from django import forms
from django.template.loader import render_to_string
from django.urls import reverse
from wagtail.admin.staticfiles import versioned_static


class PageMultipleChooser(forms.SelectMultiple):
    template_name = "core/widgets/page_multiple_chooser.html"

    def __init__(self, attrs=None, target_model=None):
        super().__init__(attrs)
        self.target_model = target_model

    def model(self):
        if self.target_model is not None:
            return self.target_model
        return self.choices.queryset.model

    def chosen_pages(self, value):
        """The chosen pages only (one query), in the order given: never the whole choice list."""
        ids = []
        for item in value or []:
            try:
                ids.append(int(getattr(item, "pk", item)))
            except (TypeError, ValueError):
                continue
        if not ids:
            return []
        model = self.model()
        queryset = getattr(self.choices, "queryset", None)
        queryset = queryset if queryset is not None else model._default_manager.all()
        found = {
            page.pk: page for page in queryset.filter(pk__in=ids).only("id", "title", "draft_title", "live")
        }
        return [found[pk] for pk in dict.fromkeys(ids) if pk in found]

    def get_context(self, name, value, attrs):
        # Not super(): SelectMultiple's context builds an option for every choice.
        attrs = self.build_attrs(self.attrs, attrs)
        model = self.model()
        pages = [
            {
                "id": page.pk,
                "title": page.get_admin_display_title(),
                "live": page.live,
                "edit_url": reverse("wagtailadmin_pages:edit", args=[page.pk]),
            }
            for page in self.chosen_pages(value)
        ]
        return {
            "widget": {
                "name": name,
                "attrs": attrs,
                "pages": pages,
                "model_name": f"{model._meta.app_label}.{model._meta.model_name}",
                "type_label": model._meta.verbose_name,
                "chooser_url": reverse("wagtailadmin_choose_page"),
            }
        }

    def render(self, name, value, attrs=None, renderer=None):
        # The project's templates (the form renderer reads only Django's and the apps' own).
        return render_to_string(self.template_name, self.get_context(name, value, attrs))

    def format_value(self, value):
        return value

    def value_omitted_from_data(self, data, files, name):
        return False  # no hidden input means "none chosen", as for a multi-select

    @property
    def media(self):
        return forms.Media(
            js=[
                versioned_static("wagtailadmin/js/page-chooser-modal.js"),
                "js/admin/page-multiple-chooser.js",
            ],
            css={"all": ["css/admin/page-multiple-chooser.css"]},
        )
