from django.apps import AppConfig


class CompareConfig(AppConfig):
    name = "kb.compare"
    label = "compare"
    verbose_name = "案例对比"
