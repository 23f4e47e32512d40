from django.apps import AppConfig


class VocabulariesConfig(AppConfig):
    name = "kb.vocabularies"
    label = "vocabularies"
    verbose_name = "词表"
