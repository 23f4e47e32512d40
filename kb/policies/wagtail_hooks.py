"""Admin: tell the editor which older policies a publication marked, and how to undo it."""

from wagtail import hooks
from wagtail.admin import messages
from wagtail.log_actions import LogFormatter

from .lifecycle import VALIDITY_CHANGED, describe
from .signals import take_notices


@hooks.register("register_log_actions")
def register_validity_log_action(actions):
    @actions.register_action(VALIDITY_CHANGED)
    class ValidityChanged(LogFormatter):
        label = "时效性自动更新"

        def format_message(self, log_entry):
            return describe(log_entry)


def show_notices(request, page):
    for notice in take_notices():
        messages.warning(
            request,
            notice["text"] + "如有误，可在其历史记录中恢复此前的版本。",
            buttons=[messages.button(notice["history_url"], "历史记录")],
        )


hooks.register("after_publish_page", show_notices)
hooks.register("after_edit_page", show_notices)
hooks.register("after_create_page", show_notices)
