"""Admin: 投稿 (contributions) in the menu for moderators, and its URLs."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views
from .permissions import can_moderate


class ContributionsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_moderate(request.user)


@hooks.register("register_admin_urls")
def contribution_urls():
    urls = [
        path("", admin_views.contribution_list, name="list"),
        path("<int:pk>/", admin_views.contribution_detail, name="detail"),
    ]
    return [path("contributions/", include((urls, "contributions_admin"), namespace="contributions_admin"))]


@hooks.register("register_admin_menu_item")
def contributions_menu_item():
    return ContributionsMenuItem(
        "投稿", reverse("contributions_admin:list"), name="contributions", icon_name="mail", order=460
    )
