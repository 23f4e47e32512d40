from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "kb.policies"
    label = "policies"
    verbose_name = "政策库"

    def ready(self):
        from . import signals

        signals.connect()
