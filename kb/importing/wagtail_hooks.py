"""Admin: the Markdown upload (导入 Markdown) in the menu and its URLs."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views
from .upload import can_upload


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return can_upload(request.user)


@hooks.register("register_admin_urls")
def import_urls():
    # Wagtail wraps these in its admin access check (anonymous users go to the login form).
    return [
        path("import/", admin_views.upload_view, name="kb_import"),
        path("import/confirm/", admin_views.confirm_view, name="kb_import_confirm"),
    ]


@hooks.register("register_admin_menu_item")
def import_menu_item():
    return ImportMenuItem(
        "导入 Markdown", reverse("kb_import"), name="import-markdown", icon_name="upload", order=450
    )
