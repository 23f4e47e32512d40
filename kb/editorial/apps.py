from django.apps import AppConfig


class EditorialConfig(AppConfig):
    name = "kb.editorial"
    label = "editorial"
    verbose_name = "编辑与审核"
