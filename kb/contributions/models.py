"""What the site keeps about a public case contribution (投稿), beside the draft page it became.

The draft case page holds the content; a `Contribution` holds what must not be on the page: the
contributor's contact, the private status token, the free-text 其他 values waiting for a
moderator, and the images still to be released when the page is published. `SubmissionAttempt`
counts the submissions of each client for the rate limit, in the database so every worker
process sees the same counts.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from wagtail.images import get_image_model_string

# Letters and digits that cannot be misread for one another when a reference is read out.
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
REFERENCE_PREFIX = "TG"

VOCABULARY_FIELDS = {
    # vocabulary key (kb.vocabularies.models.VOCABULARY_MODELS) → (case page field, label, many?)
    "issue": ("issues", "议题", True),
    "actor": ("actors", "治理主体", True),
    "method": ("methods", "方法与机制", True),
    "community_type": ("community_type", "社区类型", False),
}


def new_reference(now=None):
    """A reference a person can read out on the phone: TG-20261202-7K3M."""
    now = timezone.localtime(now)
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(4))
    return f"{REFERENCE_PREFIX}-{now:%Y%m%d}-{code}"


def new_status_token():
    return secrets.token_urlsafe(24)  # 192 random bits: the status link cannot be guessed


class Contribution(models.Model):
    reference = models.CharField("编号", max_length=20, unique=True)
    status_token = models.CharField("状态链接令牌", max_length=64, unique=True, editable=False)
    page = models.ForeignKey(
        "cases.CasePage", verbose_name="案例草稿", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="contributions",
    )  # fmt: skip
    title = models.CharField("标题", max_length=255)  # kept if the draft is deleted
    contributor_name = models.CharField("投稿人署名", max_length=100)
    contact = models.CharField("联系方式（不公开）", max_length=100, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="投稿账号", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    submitted_at = models.DateTimeField("投稿时间", default=timezone.now, db_index=True)
    # [{"vocabulary": "issue", "value": "高空抛物", "term": None or the term's name once mapped}]
    other_values = models.JSONField("“其他”填写的内容", default=list, blank=True)
    images = models.ManyToManyField(
        get_image_model_string(), verbose_name="图片", blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "投稿"
        verbose_name_plural = "投稿"
        ordering = ["-submitted_at"]

    def __str__(self):
        return f"{self.reference} {self.title}"

    @property
    def pending_other_values(self):
        return [item for item in self.other_values if not item.get("term")]


class SubmissionAttempt(models.Model):
    """One POST of the contribution form, by a client identified only by a keyed hash of its address."""

    client = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    accepted = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["client", "created_at"], name="contrib_attempt_client_time")]

    def __str__(self):
        return f"{self.client[:8]}… {self.created_at:%Y-%m-%d %H:%M}"
