"""Form widgets that name their hint and error for screen readers (aria-describedby)."""

from django import template

register = template.Library()


def described_by(bound):
    ids = []
    if bound.help_text:
        ids.append(f"{bound.auto_id}-hint")
    if bound.errors:
        ids.append(f"{bound.auto_id}-error")
    return " ".join(ids)


@register.filter
def widget_with_aria(bound):
    attrs = {}
    ids = described_by(bound)
    if ids:
        attrs["aria-describedby"] = ids
    if bound.errors:
        attrs["aria-invalid"] = "true"
    return bound.as_widget(attrs=attrs)


@register.filter
def aria_ids(bound):
    return described_by(bound)
