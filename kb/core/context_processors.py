from .page_types import site_sections as _site_sections


def nav_sections():
    return [section for section in _site_sections(with_counts=False) if section["index"]]


def site_sections(request):
    """Navigation links to the four sections; queried only when a template uses them."""
    return {"nav_sections": nav_sections}
