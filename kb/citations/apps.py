from django.apps import AppConfig


class CitationsConfig(AppConfig):
    name = "kb.citations"
    label = "citations"
    verbose_name = "引用"
