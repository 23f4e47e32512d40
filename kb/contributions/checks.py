"""A wrong KB_CONTRIBUTION_RATE is reported when the site starts, not on the first submission."""

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured


@register()
def check_contribution_rate(app_configs, **kwargs):
    from .ratelimit import configured_rate

    try:
        configured_rate()
    except ImproperlyConfigured as error:
        return [Error(str(error), id="contributions.E001")]
    return []
