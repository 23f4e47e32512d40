"""Field serializers shared by the page types in Wagtail's API v2 (/api/v2/pages/): vocabularies as names,
regions as paths, linked pages as small objects, so other sites can reuse the library as it reads. A type's own serializers live in its app
(kb/policies/api_fields.py, kb/courses/api_fields.py)."""

from rest_framework import serializers
from wagtail.api import APIField

from .visibility import public_live


class TermNames(serializers.Field):
    """A vocabulary relation as the names of its terms."""

    def to_representation(self, manager):
        return [term.name for term in manager.all()]


class TermName(serializers.Field):
    def to_representation(self, term):
        return term.name if term is not None else None


class RegionPath(serializers.Field):
    def to_representation(self, region):
        return region.path if region is not None else None


class LinkedPages(serializers.Field):
    """Linked pages the public may see (kb.core.visibility) as {id, title, url, type}."""

    def to_representation(self, manager):
        return [
            {"id": page.pk, "title": page.title, "url": page.url, "type": getattr(page, "type_key", "")}
            for page in public_live(manager.all()).specific()
        ]


def terms(name):
    return APIField(name, serializer=TermNames(read_only=True))


def term(name):
    return APIField(name, serializer=TermName(read_only=True))


def region(name="region"):
    return APIField(name, serializer=RegionPath(read_only=True))


def links(name):
    return APIField(name, serializer=LinkedPages(read_only=True))


# Every knowledge page: the summary and where its content comes from.
KNOWLEDGE_PAGE_FIELDS = [
    APIField("summary"),
    APIField("source_title"),
    APIField("source_author"),
    APIField("source_url"),
    APIField("source_date"),
    APIField("source_note"),
]
