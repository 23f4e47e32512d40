"""Importing a superseding policy with the policy it supersedes: same result whatever the file order.

The importer writes every page of a run, then publishes them, then applies the policy lifecycle
once for the run; before, the newer policy marked the older one only if its file sorted last.
"""

import pytest

from kb.importing.reading import collect_files
from kb.importing.writing import import_files
from kb.policies.models import PolicyPage

OLDER = {
    "type": "policy",
    "title": "某市物业管理办法",
    "slug": "old-rules",
    "issuer": ["某市人民政府"],
    "issued_on": "2015",
    "validity": "现行有效",
}
NEWER = {
    "type": "policy",
    "title": "某市物业管理条例",
    "slug": "new-rules",
    "issuer": ["某市人大常委会"],
    "issued_on": "2022",
    "validity": "现行有效",
    "supersedes": ["old-rules"],
}


def indexed_validity(client):
    data = client.get("/api/search/", {"type": "policy", "page_size": 50}).json()
    return {hit["title"]: hit["fields"].get("validity") for hit in data["results"]}


@pytest.mark.parametrize(
    ("older_name", "newer_name"),
    [("a-older.md", "b-newer.md"), ("b-older.md", "a-newer.md")],
    ids=["older-file-sorts-first", "newer-file-sorts-first"],
)
def test_superseded_policy_is_repealed_in_either_file_order(
    home, indexes, write_md, client, older_name, newer_name
):
    write_md(older_name, OLDER)
    folder = write_md(newer_name, NEWER).parent
    import_files(collect_files([folder]), publish=True)

    older = PolicyPage.objects.select_related("validity").get(slug="old-rules")
    newer = PolicyPage.objects.select_related("validity").get(slug="new-rules")
    assert (older.validity.name, newer.validity.name) == ("已废止", "现行有效")
    assert older.live and not older.has_unpublished_changes
    assert indexed_validity(client) == {"某市物业管理办法": ["已废止"], "某市物业管理条例": ["现行有效"]}
