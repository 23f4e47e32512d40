"""The policy fields of Wagtail's API v2 that no other type has: issuers and attachments."""

from rest_framework import serializers


class IssuerNames(serializers.Field):
    def to_representation(self, manager):
        return [issuer.name for issuer in manager.all()]


class Attachments(serializers.Field):
    """Attached documents as {title, url}: the public download address of each file."""

    def to_representation(self, manager):
        return [
            {"title": attachment.title or attachment.document.title, "url": attachment.document.url}
            for attachment in manager.select_related("document")
        ]
