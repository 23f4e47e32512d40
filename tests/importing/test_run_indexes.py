"""An import run writes Wagtail's own indexes once at its end: the admin's search and the references."""

from wagtail.models import ReferenceIndex
from wagtail.search.backends import get_search_backend

from kb.cases.models import CasePage
from kb.importing.reading import collect_files
from kb.importing.writing import import_files
from kb.principles.models import PrinciplePage

PRINCIPLE = {"type": "principle", "title": "居民主体原则", "slug": "resident-led", "group": "六原则"}
CASE = {"type": "case", "title": "楼道花园改造", "slug": "stair-garden", "region": "四川省/成都市"}


def test_imported_pages_are_in_the_admin_search_and_reference_index(home, indexes, write_md):
    write_md("a.md", PRINCIPLE)
    folder = write_md("b.md", CASE).parent
    import_files(collect_files([folder]), publish=True)

    case = CasePage.objects.get(slug="stair-garden")
    found = get_search_backend().search("楼道花园改造", CasePage)
    assert [page.pk for page in found] == [case.pk]
    references = ReferenceIndex.get_references_to(case.region)
    assert case.pk in {int(ref.object_id) for ref in references}


def test_a_save_outside_an_import_still_updates_the_admin_search(home, indexes, write_md):
    import_files(collect_files([write_md("a.md", PRINCIPLE)]), publish=True)
    principle = PrinciplePage.objects.get(slug="resident-led")
    principle.title = "居民自治原则"
    principle.save_revision().publish()
    found = get_search_backend().search("居民自治原则", PrinciplePage)
    assert [page.pk for page in found] == [principle.pk]
