from django.apps import AppConfig


class PrinciplesConfig(AppConfig):
    name = "kb.principles"
    label = "principles"
    verbose_name = "原则与理念"
