"""Bulk writing: new pages placed in the tree at once, and unchanged files left alone on re-import."""

import json
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


# --------------------------------------------------------------------------- new pages in bulk

PRINCIPLE = {"type": "principle", "title": "居民主体原则", "slug": "resident-led", "group": "六原则"}
POLICY = {
    "type": "policy",
    "title": "关于加强社区治理的意见",
    "slug": "community-governance-opinion",
    "issuer": ["某市民政局", "某市财政局"],
    "principles": ["resident-led"],
}
RICH_CASE = {
    **case(1),
    "region": "四川省/成都市",
    "community_type": "商品房小区",
    "issues": ["宠物管理", "环境卫生"],
    "actors": ["社会组织"],
    "year_start": 2019,
    "principles": ["resident-led"],
    "policies": ["community-governance-opinion"],
}
BODY = "开头。\n\n## 背景与问题\n楼道里堆满杂物。\n\n## 过程与方法\n居民**一起**清理。\n"


def import_rich_run(write_md, publish=True):
    write_md("principle.md", PRINCIPLE)
    write_md("policy.md", POLICY, "政策正文。")
    folder = write_md("case.md", RICH_CASE, BODY).parent
    return import_files(collect_files([folder]), publish=publish, create_terms=True)


def comparable(content):
    """A revision's content without what differs between two pages of the same content."""
    ignored = {"pk", "path", "translation_key", "slug", "url_path", "title", "draft_title", "page"}
    data = {key: value for key, value in content.items() if key not in ignored}
    data["body"] = json.loads(data["body"])  # the StreamField's JSON: key order is the database's
    for key, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            data[key] = [{k: v for k, v in row.items() if k not in ignored} for row in value]
    return data


def wagtail_twin(imported):
    """The same content as `imported`, written by Wagtail's own add_child, save_revision and publish
    (a draft until published, as the importer creates a page)."""
    twin = type(imported)(title=f"{imported.title}（对照）", slug=f"{imported.slug}-twin", live=False)
    names = [field.name for field in imported._meta.concrete_fields if not field.primary_key]
    skipped = set(names) - {field.name for field in type(imported)._meta.local_concrete_fields}
    for name in names:
        if name not in skipped and name not in ("title", "slug", "page_ptr"):
            setattr(twin, name, getattr(imported, name))
    for name in ("summary", "source_title", "source_date"):
        setattr(twin, name, getattr(imported, name))
    for field in type(imported)._meta.get_fields():
        if getattr(field, "many_to_many", False) and not field.auto_created:
            setattr(twin, field.name, list(getattr(imported, field.name).all()))
    imported.get_parent().add_child(instance=twin)
    twin.save_revision(log_action=True).publish()
    twin.refresh_from_db()
    return twin


def log_actions(page):
    from wagtail.models import PageLogEntry

    return [
        (entry.action, entry.content_changed, entry.revision_id is not None)
        for entry in PageLogEntry.objects.filter(page=page).order_by("timestamp", "pk")
    ]


def references_from(page):
    from wagtail.models import ReferenceIndex

    return sorted(
        (ref.to_content_type_id, ref.to_object_id, ref.model_path, ref.content_path)
        for ref in ReferenceIndex.objects.filter(
            object_id=str(page.pk), base_content_type=page.get_base_content_type()
        )
    )


def test_a_bulk_imported_case_is_written_as_wagtails_own_publish_writes_it(indexes, write_md):
    import_rich_run(write_md)
    imported = CasePage.objects.get(slug="stair-garden-1")
    twin = wagtail_twin(imported)

    assert comparable(imported.latest_revision.content) == comparable(twin.latest_revision.content)
    assert (
        log_actions(imported)
        == log_actions(twin)
        == [
            ("wagtail.create", True, False),
            ("wagtail.edit", True, True),
            ("wagtail.publish", True, True),
        ]
    )
    for page in (imported, twin):
        revision = page.latest_revision
        assert page.live and not page.has_unpublished_changes and not page.expired
        assert page.live_revision_id == revision.pk and page.revisions.count() == 1
        assert page.latest_revision_created_at == revision.created_at
        assert page.first_published_at and page.last_published_at >= revision.created_at
        assert page.draft_title == page.title and revision.object_str == page.title
        assert revision.content["live"] is False and revision.content["latest_revision"] is None
    assert [(ct, ref_id, model_path) for ct, ref_id, model_path, _ in references_from(imported)] == [
        (ct, ref_id, model_path) for ct, ref_id, model_path, _ in references_from(twin)
    ]
    assert references_from(imported)  # the region, community type, terms and linked pages
    assert sorted(imported.issues.values_list("name", flat=True)) == ["宠物管理", "环境卫生"]
    assert [page.slug for page in imported.principles.all()] == ["resident-led"]
    assert [page.slug for page in imported.policies.all()] == ["community-governance-opinion"]
    assert Page.find_problems() == ([], [], [], [], [])


def test_bulk_imported_inline_rows_match_the_revision(indexes, write_md):
    from kb.policies.models import PolicyPage

    import_rich_run(write_md)
    policy = PolicyPage.objects.get(slug="community-governance-opinion")

    assert [(row.name, row.sort_order) for row in policy.issuers.all()] == [
        ("某市民政局", 0),
        ("某市财政局", 1),
    ]
    # As save_revision stores them: the inline rows are serialised before they are saved.
    assert [(row["name"], row["pk"]) for row in policy.latest_revision.content["issuers"]] == [
        ("某市民政局", None),
        ("某市财政局", None),
    ]
    assert [page.slug for page in policy.principles.all()] == ["resident-led"]
    assert policy.latest_revision.as_object().issuers.count() == 2


def test_bulk_imported_pages_render_and_are_found_by_the_site_search(client, indexes, write_md):
    import_rich_run(write_md)
    case_page = CasePage.objects.get(slug="stair-garden-1")

    response = client.get(case_page.url)
    assert response.status_code == 200
    assert "楼道里堆满杂物" in response.content.decode()
    found = client.get("/api/search/", {"q": "楼道花园改造", "type": "case"}).json()
    assert [hit["title"] for hit in found["results"]] == [case_page.title]


def test_a_bulk_draft_import_writes_a_draft(indexes, write_md):
    import_rich_run(write_md, publish=False)
    page = CasePage.objects.get(slug="stair-garden-1")

    assert not page.live and page.has_unpublished_changes
    assert page.live_revision_id is None and page.first_published_at is None
    assert page.latest_revision_id and page.latest_revision.content["issues"]
    assert [action for action, _, _ in log_actions(page)] == ["wagtail.create", "wagtail.edit"]


def test_references_between_new_pages_in_different_batches(indexes, write_md, monkeypatch):
    from kb.importing import bulk

    monkeypatch.setattr(bulk, "BATCH_SIZE", 2)
    for number in range(5):
        later = [f"stair-garden-{(number + 3) % 5}"]  # often a page of a later batch
        folder = write_md(f"{number}.md", case(number, cases=later)).parent
    import_files(collect_files([folder]), publish=True)

    assert Page.find_problems() == ([], [], [], [], [])
    for number in range(5):
        page = CasePage.objects.get(slug=f"stair-garden-{number}")
        target = CasePage.objects.get(slug=f"stair-garden-{(number + 3) % 5}")
        assert list(page.related_cases.all()) == [target]
        assert page.latest_revision.content["related_cases"] == [target.pk]
        assert page.live_revision_id == page.latest_revision_id


def test_a_changed_bulk_imported_file_adds_a_revision(indexes, write_md):
    path = write_md("a.md", case(1, issues=["宠物管理"]))
    import_files(collect_files([path]), publish=True, create_terms=True)
    write_md("a.md", case(1, issues=["环境卫生"]))
    import_files(collect_files([path]), publish=True, create_terms=True)

    page = CasePage.objects.get()
    assert page.revisions.count() == 2
    assert list(page.issues.values_list("name", flat=True)) == ["环境卫生"]
    assert [action for action, _, _ in log_actions(page)] == [
        "wagtail.create",
        "wagtail.edit",
        "wagtail.publish",
        "wagtail.edit",
        "wagtail.publish",
    ]
