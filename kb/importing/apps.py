from django.apps import AppConfig


class ImportingConfig(AppConfig):
    name = "kb.importing"
    label = "importing"
    verbose_name = "导入"
