from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "kb.operations"
    label = "operations"
    verbose_name = "运行与监控"
