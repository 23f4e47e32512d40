"""Bulk writing: new pages placed in the tree at once, and unchanged files left alone on re-import."""

from io import StringIO

from django.core.management import call_command
from wagtail.models import Page

from kb.cases.models import CasePage
from kb.importing.models import ImportedFile
from kb.importing.reading import collect_files
from kb.importing.writing import import_files


def case(number, **extra):
    return {"type": "case", "title": f"楼道花园改造第{number}例", "slug": f"stair-garden-{number}", **extra}


def test_new_pages_get_consistent_paths_url_paths_and_numchild(indexes, write_md):
    import_files(collect_files([write_md("a.md", case(0))]), publish=True)  # one child already there
    for number in range(1, 6):
        folder = write_md(f"{number}.md", case(number), folder="more").parent
    import_files(collect_files([folder]), publish=True)

    assert Page.find_problems() == ([], [], [], [], [])
    parent = indexes["case"]
    parent.refresh_from_db()
    children = list(parent.get_children().specific())
    assert parent.numchild == len(children) == 6
    assert [page.slug for page in children] == [f"stair-garden-{n}" for n in range(6)]
    for page in children:
        assert page.url_path == f"{parent.url_path}{page.slug}/"
        assert page.live and not page.has_unpublished_changes
    assert len({page.path for page in children}) == 6


def test_unchanged_file_adds_no_revision_and_is_reported(indexes, write_md):
    write_md("a.md", case(1))
    folder = write_md("b.md", case(2)).parent
    import_files(collect_files([folder]), publish=True)
    revisions = {page.slug: page.revisions.count() for page in CasePage.objects.all()}

    write_md("b.md", case(2, summary="改过的摘要。"))
    output = StringIO()
    call_command("import_content", str(folder), publish=True, stdout=output)

    assert "1 个文件自上次导入后未改动" in output.getvalue()
    assert CasePage.objects.get(slug="stair-garden-1").revisions.count() == revisions["stair-garden-1"]
    changed = CasePage.objects.get(slug="stair-garden-2")
    assert changed.revisions.count() == revisions["stair-garden-2"] + 1
    assert changed.summary == "改过的摘要。"
    assert ImportedFile.objects.get(page=changed).revision_id == changed.latest_revision_id


def test_unchanged_file_is_written_again_after_an_editor_revision(indexes, write_md):
    path = write_md("a.md", case(1))
    import_files(collect_files([path]), publish=True)
    page = CasePage.objects.get()
    page.title = "编辑改过的标题"
    page.save_revision()  # an editor's draft: the import's revision is no longer the latest

    result = import_files(collect_files([path]), publish=True)

    assert result.unchanged == []
    assert result.counts() == {"case": {"create": 0, "update": 1}}
    page.refresh_from_db()
    assert page.title == "楼道花园改造第1例" and not page.has_unpublished_changes


def test_a_draft_import_then_a_publishing_one_publishes_the_unchanged_file(indexes, write_md):
    path = write_md("a.md", case(1))
    import_files(collect_files([path]))
    assert not CasePage.objects.get().live

    result = import_files(collect_files([path]), publish=True)

    assert result.unchanged == []
    assert CasePage.objects.get().live
    again = import_files(collect_files([path]), publish=True)
    assert len(again.unchanged) == 1 and again.counts() == {"case": {"create": 0, "update": 0}}
