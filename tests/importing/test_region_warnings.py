"""A new region one character away from a known one is written, with a warning: likely a typo."""

import io

from django.core.management import call_command

from kb.importing.regions import close_regions, one_edit_apart
from kb.vocabularies.models import Region


def test_one_edit_apart():
    assert one_edit_apart("武候区", "武侯区")
    assert one_edit_apart("武侯", "武侯区") and one_edit_apart("武侯区", "武侯")
    assert not one_edit_apart("武侯区", "武侯区")
    assert not one_edit_apart("锦江区", "武侯区")


def test_a_near_miss_under_the_same_parent_is_found_in_one_query(db, django_assert_num_queries):
    Region.get_or_create_path("四川省/成都市/武侯区")
    Region.get_or_create_path("四川省/成都市/锦江区")
    with django_assert_num_queries(1):
        close = close_regions(["四川省/成都市/武候区", "四川省/成都市/青羊区", "四川省/绵阳市/武候区"])
    assert close == {"四川省/成都市/武候区": "四川省/成都市/武侯区"}


def test_the_importer_warns_and_still_imports(home, write_md):
    Region.get_or_create_path("四川省/成都市/武侯区")
    path = write_md("a.md", {"type": "case", "title": "甲案例", "region": "四川省/成都市/武候区"})
    errors = io.StringIO()
    call_command("import_content", str(path), stdout=io.StringIO(), stderr=errors)
    assert "四川省/成都市/武候区" in errors.getvalue() and "四川省/成都市/武侯区" in errors.getvalue()
    assert Region.objects.filter(path="四川省/成都市/武候区").exists()
