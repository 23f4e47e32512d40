"""The demo content in fixtures/ loads through the editors' importer and covers the seeds."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from kb.cases.models import CasePage
from kb.core.page_types import page_model, type_keys
from kb.importing.reading import collect_files, parse_front_matter

MINIMUM_PAGES = {"case": 15, "policy": 6, "principle": 12, "course": 3}


def test_every_fixture_cites_its_seed():
    for source in collect_files([settings.DEMO_CONTENT_DIR]):
        meta, _ = parse_front_matter(source)
        cited = meta.get("source") or {}
        assert cited.get("title"), source.name
        assert "种子文本" in (cited.get("note") or ""), source.name


@pytest.mark.django_db
def test_demo_content_loads_published_and_every_page_renders(client):
    call_command("load_demo_content", stdout=StringIO())
    for key in type_keys():
        pages = page_model(key).objects.live()
        assert pages.count() >= MINIMUM_PAGES[key], key
        assert not page_model(key).objects.filter(live=False).exists()
        for page in pages:
            assert client.get(page.url).status_code == 200, page.url
    for case in CasePage.objects.all():
        kinds = {block.value["kind"] for block in case.body}
        assert {"background", "references"} <= kinds, case.slug


@pytest.mark.django_db
def test_second_load_keeps_edits():
    call_command("load_demo_content", stdout=StringIO())
    page = CasePage.objects.get(slug="pet-contest-poop-squad")
    page.summary = "编辑改过的摘要"
    page.save_revision().publish()
    call_command("load_demo_content", stdout=StringIO())
    assert CasePage.objects.get(slug="pet-contest-poop-squad").summary == "编辑改过的摘要"
