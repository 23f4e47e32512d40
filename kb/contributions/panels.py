"""A panel on a contributed case's edit form with what is not on the page: the contributor's
contact and the 其他 values to map. Only moderators see it; editors see the page as any draft."""

from django.urls import reverse
from wagtail.admin.panels import Panel


class ContributionPanel(Panel):
    def __init__(self, heading="投稿信息（仅审核人员可见）", **kwargs):
        super().__init__(heading=heading, **kwargs)

    @property
    def clean_name(self):
        return super().clean_name or "contribution"

    class BoundPanel(Panel.BoundPanel):
        template_name = "contributions/admin/panel.html"

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            from .models import Contribution
            from .permissions import can_moderate

            self.contribution = None
            if self.instance is not None and self.instance.pk and can_moderate(self.request.user):
                self.contribution = Contribution.objects.filter(page_id=self.instance.pk).first()

        def is_shown(self):
            return self.contribution is not None

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["contribution"] = self.contribution
            context["detail_url"] = reverse("contributions_admin:detail", args=[self.contribution.pk])
            return context
