"""The demo content in fixtures/ loads through the editors' importer and covers the seeds."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from kb.cases.models import CasePage
from kb.core.page_types import page_model, type_keys
from kb.importing.reading import collect_files, parse_front_matter

MINIMUM_PAGES = {"case": 15, "policy": 6, "principle": 12, "course": 3}


def test_every_fixture_cites_its_source_as_a_reader_would():
    for source in collect_files([settings.DEMO_CONTENT_DIR]):
        meta, body = parse_front_matter(source)
        cited = meta.get("source") or {}
        assert cited.get("title"), source.name
        assert cited.get("author") or cited.get("date"), source.name
        assert "种子" not in body and "种子" not in str(meta), source.name


SEED_003_TITLE = "上海街道、政府、社区、社会层面参与的社区治理和社区服务的组织和工作架构是怎么样的？"


def test_the_pages_from_seed_003_use_its_own_title():
    cited = [
        parse_front_matter(source)[0]["source"]
        for source in collect_files([settings.DEMO_CONTENT_DIR])
        if "闫加伟" in (parse_front_matter(source)[0]["source"].get("author") or "")
    ]
    assert len(cited) == 6
    assert {c["title"] for c in cited} == {SEED_003_TITLE}


@pytest.mark.django_db
def test_demo_content_loads_published_and_every_page_renders(client):
    call_command("load_demo_content", stdout=StringIO())
    for key in type_keys():
        pages = page_model(key).objects.live()
        assert pages.count() >= MINIMUM_PAGES[key], key
        assert not page_model(key).objects.filter(live=False).exists()
        for page in pages:
            response = client.get(page.url)
            assert response.status_code == 200, page.url
            assert "种子" not in response.content.decode(), page.url
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
