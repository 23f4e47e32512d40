from django.apps import AppConfig


class SyndicationConfig(AppConfig):
    name = "kb.syndication"
    label = "syndication"
    verbose_name = "订阅与开放接口"
