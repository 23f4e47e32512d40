"""Vocabularies as snippets, grouped under one 词表 menu, as bakerydemo registers its taxonomies."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Actor, Audience, CommunityType, Issue, Method, PolicyLevel, Region, Validity


class TermViewSet(SnippetViewSet):
    list_display = ["name", "description", "sort_order"]
    search_fields = ["name"]
    ordering = ["sort_order", "name"]
    add_to_admin_menu = False


def term_viewset(term_model, icon):
    return type(
        f"{term_model.__name__}ViewSet",
        (TermViewSet,),
        {"model": term_model, "icon": icon},
    )


class RegionViewSet(SnippetViewSet):
    model = Region
    icon = "site"
    list_display = ["path", "depth"]
    search_fields = ["path"]
    ordering = ["path"]


class VocabularyGroup(SnippetViewSetGroup):
    menu_label = "词表"
    menu_icon = "tag"
    menu_order = 300
    items = (
        term_viewset(Issue, "tag"),
        term_viewset(Actor, "group"),
        term_viewset(Method, "cogs"),
        term_viewset(CommunityType, "home"),
        term_viewset(PolicyLevel, "list-ol"),
        term_viewset(Validity, "time"),
        term_viewset(Audience, "user"),
        RegionViewSet,
    )


register_snippet(VocabularyGroup)
