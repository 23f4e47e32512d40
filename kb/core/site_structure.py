"""The fixed top of the page tree: a home page and one index page per content type."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from wagtail.models import Page, Site

from kb.editorial.roles import ensure_roles

from .models import HomePage
from .page_types import page_types

HOME_INTRO = (
    "汇集各地社区营造与社区治理的案例、原则、政策和培训课程：看看别的社区怎样解决同样的问题，"
    "理解做法背后的理念，查到相关的政策依据，再把它们组织成培训课程。"
)


def configured_address():
    """(hostname, port) of WAGTAILADMIN_BASE_URL: absolute links (sitemap, feeds, handouts) are
    built from the Site record, so it must name the address readers use, never localhost:80."""
    parts = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    default_port = 443 if parts.scheme == "https" else 80
    return parts.hostname or "localhost", parts.port or default_port


@transaction.atomic
def ensure_site_structure():
    """Create the home page and each page type's index page if missing; return the home page."""
    home = HomePage.objects.first()
    if home is None:
        # Wagtail's migration makes the tree's root; a flushed database (tests) has none.
        root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
        # Wagtail's first migration leaves a placeholder "Welcome" page as the site root.
        placeholders = [
            page for page in root.get_children() if type(page.specific) is Page and page.numchild == 0
        ]
        for page in placeholders:
            page.slug = f"placeholder-{page.pk}"
            page.save(update_fields=["slug"])
        home = root.add_child(instance=HomePage(title="社区营造知识库", slug="home", intro=HOME_INTRO))
        site = Site.objects.filter(is_default_site=True).first()
        hostname, port = configured_address()
        if site is None:
            Site.objects.create(
                hostname=hostname,
                port=port,
                root_page=home,
                is_default_site=True,
                site_name="社区营造知识库",
            )
        else:
            site.root_page = home
            site.site_name = site.site_name or "社区营造知识库"
            site.hostname, site.port = hostname, port
            site.save()
        for page in placeholders:
            page.delete()
    for page_type in page_types():
        model = page_type.index_model
        if not model.objects.exists():
            home.add_child(
                instance=model(
                    title=page_type.index_title, slug=page_type.index_slug, intro=page_type.index_intro
                )
            )
    follow_configured_address()
    ensure_roles()  # the editorial groups' page permissions and workflow attach to these pages
    return home


def follow_configured_address():
    """Keep the default site at the configured address when WAGTAILADMIN_BASE_URL changes."""
    hostname, port = configured_address()
    Site.objects.filter(is_default_site=True).exclude(hostname=hostname, port=port).update(
        hostname=hostname, port=port
    )
