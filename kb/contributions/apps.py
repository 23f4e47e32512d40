from django.apps import AppConfig


class ContributionsConfig(AppConfig):
    name = "kb.contributions"
    label = "contributions"
    verbose_name = "案例投稿"

    def ready(self):
        from . import checks, signals  # noqa: F401  (registers the settings check)

        signals.connect()
