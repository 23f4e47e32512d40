"""The editors' dashboard and what the admin says after a review action."""

from django.contrib import messages
from django.db.models import Q
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.models import Page

from kb.core.quoting import quote

MY_DRAFTS_SHOWN = 10


class MyDraftsPanel(Component):
    """我的草稿: the user's pages with changes not yet live, newest first, so work in progress is
    one click away (Wagtail's own panels list only pages already in review or recently edited)."""

    name = "my_drafts"
    template_name = "editorial/my_drafts_panel.html"
    order = 205  # above Wagtail's 你在审核流程中的页面和片段 (210)

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        drafts = (
            Page.objects.filter(owner=self.user)
            .filter(Q(live=False) | Q(has_unpublished_changes=True))
            .exclude(depth=1)
            .order_by("-latest_revision_created_at", "-pk")
            .specific(defer=True)[:MY_DRAFTS_SHOWN]
        )
        return {"drafts": drafts, "request": parent_context.get("request")}


@hooks.register("construct_homepage_panels")
def add_my_drafts_panel(request, panels):
    panels.append(MyDraftsPanel(request.user))


@hooks.register("after_edit_page")
def say_what_a_review_action_did(request, page):
    """Wagtail answers every edit-screen action with 已被更新; after 批准 the editor needs to know
    whether the page is now live."""
    if request.method != "POST" or request.POST.get("workflow-action-name") != "approve":
        return None
    page.refresh_from_db(fields=["live", "has_unpublished_changes"])
    if page.live and not page.has_unpublished_changes:
        messages.success(request, f"已批准并发布：{quote(page.title)}现已公开。")
    elif page.live:
        messages.warning(request, f"已批准：{quote(page.title)}已公开，但还有未发布的修改。")
    else:
        messages.warning(
            request, f"已批准当前环节：{quote(page.title)}尚未公开（审核流程还有后续环节或定时发布）。"
        )
    return None
