"""The public side: the form at /contribute/, the receipt and the private status page."""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from kb.vocabularies.models import PROVINCE_LEVEL_NAMES, REGION_SEPARATOR, Region

from . import ratelimit
from .drafts import create_contribution
from .forms import ContributionForm
from .models import Contribution
from .status import status_of

logger = logging.getLogger(__name__)

# Text limit, plus every image at the admin's size limit, plus room for the multipart framing.
SLACK_BYTES = 512 * 1024


def max_request_bytes():
    return (
        settings.KB_CONTRIBUTION_MAX_TEXT_BYTES
        + settings.KB_CONTRIBUTION_MAX_IMAGES * settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE
        + SLACK_BYTES
    )


def region_suggestions():
    """Province names and the places of published pages (never a place only a draft names)."""
    paths = set(PROVINCE_LEVEL_NAMES)
    used = Region.objects.filter(Q(cases__live=True) | Q(policies__live=True)).values_list("path", flat=True)
    for path in used.distinct():
        names = path.split(REGION_SEPARATOR)
        paths.update(REGION_SEPARATOR.join(names[: n + 1]) for n in range(len(names)))
    return sorted(paths)


def _form_page(request, form, status=200):
    context = {
        "form": form,
        "regions": region_suggestions(),
        "licence": settings.KB_CONTRIBUTION_LICENCE,
        "licence_url": settings.KB_CONTRIBUTION_LICENCE_URL,
        "max_images": settings.KB_CONTRIBUTION_MAX_IMAGES,
        "image_max_mb": settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE // (1024 * 1024),
    }
    return render(request, "contributions/contribute.html", context, status=status)


def _too_large(request):
    limit_mb = max_request_bytes() // (1024 * 1024)
    return render(request, "contributions/too_large.html", {"limit_mb": limit_mb}, status=413)


def contribute(request):
    if request.method != "POST":
        return _form_page(request, ContributionForm())

    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > max_request_bytes():
        return _too_large(request)

    attempt, refused = ratelimit.record_attempt(request)
    if refused:
        rate = ratelimit.configured_rate()
        response = render(request, "contributions/rate_limited.html", {"rate": rate}, status=429)
        response["Retry-After"] = str(rate.seconds)
        return response

    try:
        form = ContributionForm(request.POST, request.FILES)
        if form.honeypot_tripped:
            # A bot: answer as if all went well, keep nothing, and count it against the address.
            ratelimit.mark_accepted(attempt)
            return render(request, "contributions/received_nothing.html")
        valid = form.is_valid()
    except RequestDataTooBig:
        return _too_large(request)
    if not valid:
        return _form_page(request, form)

    contribution = create_contribution(form, request.user)
    ratelimit.mark_accepted(attempt)
    logger.info("contribution %s received (page %s)", contribution.reference, contribution.page_id)
    return redirect(reverse("contributions:status", args=[contribution.status_token]) + "?received=1")


@never_cache
def status(request, token):
    contribution = get_object_or_404(Contribution.objects.select_related("page"), status_token=token)
    context = {
        "contribution": contribution,
        "status": status_of(contribution),
        "received": request.GET.get("received") == "1",
        "status_url": request.build_absolute_uri(reverse("contributions:status", args=[token])),
    }
    response = render(request, "contributions/status.html", context)
    response["Referrer-Policy"] = "no-referrer"  # the link is the key: never send it elsewhere
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
