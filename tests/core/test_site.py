import pytest

from kb.core.page_types import type_labels


def test_home_page_leads_to_every_section_and_to_search(client, indexes):
    html = client.get("/").content.decode()
    for key, label in type_labels().items():
        assert f'href="{indexes[key].url}"' in html, key
        assert label in html
    assert 'action="/search/"' in html
    assert 'lang="zh-Hans"' in html


def test_site_structure_is_idempotent_and_replaces_wagtail_placeholder(home):
    from wagtail.models import Page, Site

    from kb.core.site_structure import ensure_site_structure

    assert ensure_site_structure().pk == home.pk
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    assert not Page.objects.filter(depth=2).exclude(pk=home.pk).exists()


def test_unknown_page_is_a_chinese_404(client, home):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_admin_speaks_chinese(client, db):
    html = client.get("/admin/login/").content.decode()
    assert "登录" in html


@pytest.mark.parametrize("type_key", ["case", "policy", "principle", "course"])
def test_admin_can_open_the_add_form_for_each_type(admin_client, indexes, type_key):
    index = indexes[type_key]
    model = index.child_model
    url = f"/admin/pages/add/{model._meta.app_label}/{model._meta.model_name}/{index.pk}/"
    response = admin_client.get(url)
    assert response.status_code == 200


def test_absolute_links_use_the_configured_address_not_localhost(client, settings, indexes):
    from wagtail.models import Site

    from kb.core.site_structure import ensure_site_structure

    settings.WAGTAILADMIN_BASE_URL = "https://kb.example.org"
    ensure_site_structure()
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("kb.example.org", 443)
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "https://kb.example.org/cases/" in sitemap
    assert "localhost" not in sitemap
