"""An editing panel that tells the editor when the site changed a policy's validity by itself."""

from django.urls import reverse
from wagtail.admin.panels import Panel


class ValidityHistoryPanel(Panel):
    """Lists the automatic validity changes of this policy, with the way to undo them."""

    def __init__(self, heading="时效性的自动更新", **kwargs):
        super().__init__(heading=heading, **kwargs)

    @property
    def clean_name(self):
        return super().clean_name or "validity_history"

    class BoundPanel(Panel.BoundPanel):
        template_name = "policies/admin/validity_history_panel.html"

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.entries = []
            if self.instance is not None and self.instance.pk:
                from wagtail.models import PageLogEntry

                from .lifecycle import VALIDITY_CHANGED, describe

                logs = PageLogEntry.objects.filter(page_id=self.instance.pk, action=VALIDITY_CHANGED)
                self.entries = [
                    {"entry": entry, "text": describe(entry)}
                    for entry in logs.select_related("user").order_by("-timestamp")[:5]
                ]

        def is_shown(self):
            return bool(self.entries)

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["entries"] = self.entries
            context["history_url"] = reverse("wagtailadmin_pages:history", args=[self.instance.pk])
            return context
