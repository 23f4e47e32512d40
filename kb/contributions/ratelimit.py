"""A rate limit per client address, counted in the database so all worker processes share it.

Each POST is recorded first and then counted, so two requests arriving together cannot both slip
under the limit. Two limits apply within the window of `KB_CONTRIBUTION_RATE` (e.g. "5/hour"):
that many accepted submissions, and `KB_CONTRIBUTION_ATTEMPTS_FACTOR` times as many tries in all
(forms sent back with errors count only there, so a contributor fixing typos is not locked out,
but a script posting junk is). Addresses are stored only as a keyed hash.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from .models import SubmissionAttempt

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
RATE_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(second|minute|hour|day)s?\s*$")


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @property
    def window(self):
        return timedelta(seconds=self.seconds)

    @property
    def window_label(self):
        """每{label}: 小时, 2 小时, 天, 30 秒 …"""
        for name, seconds in (("天", 86400), ("小时", 3600), ("分钟", 60), ("秒", 1)):
            if self.seconds % seconds == 0:
                count = self.seconds // seconds
                return name if count == 1 else f" {count} {name}"
        return f" {self.seconds} 秒"


def parse_rate(text):
    """ "5/hour" → Rate(5, 3600); "20/2hours" and "100/day" work too."""
    match = RATE_RE.match(str(text))
    if not match or int(match.group(1)) < 1:
        raise ImproperlyConfigured(
            f'KB_CONTRIBUTION_RATE must look like "5/hour" (N/second|minute|hour|day), not {text!r}'
        )
    multiplier = int(match.group(2) or 1)
    return Rate(int(match.group(1)), multiplier * PERIODS[match.group(3)])


def configured_rate():
    return parse_rate(settings.KB_CONTRIBUTION_RATE)


def client_address(request):
    """The address the request came from. Behind N trusted proxies, the N-th address from the
    right of X-Forwarded-For (KB_TRUSTED_PROXY_COUNT); never a value the client can choose."""
    hops = settings.KB_TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


def client_key(request):
    digest = hmac.new(settings.SECRET_KEY.encode(), client_address(request).encode(), hashlib.sha256)
    return digest.hexdigest()


def record_attempt(request):
    """Record this POST; return (attempt, refused), refused when this client is over a limit."""
    rate = configured_rate()
    now = timezone.now()
    since = now - rate.window
    SubmissionAttempt.objects.filter(created_at__lt=since).delete()  # old rows are of no more use
    key = client_key(request)
    attempt = SubmissionAttempt.objects.create(client=key, created_at=now)
    recent = SubmissionAttempt.objects.filter(client=key, created_at__gte=since)
    accepted = recent.filter(accepted=True).count()
    tries = recent.count()  # this one included
    refused = accepted >= rate.count or tries > rate.count * settings.KB_CONTRIBUTION_ATTEMPTS_FACTOR
    return attempt, refused


def mark_accepted(attempt):
    SubmissionAttempt.objects.filter(pk=attempt.pk).update(accepted=True)
