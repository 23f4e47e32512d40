"""The newer policies that replace or revise linked ones, for every link on a page in two queries.

A case, principle or course that cites a policy now 已废止 or 已修订 says so beside the link and
names the newer policy (README: validity-aware citations). The relations are the ones the
lifecycle follows (废止/取代, 修订), read for all the page's linked policies at once.
"""

from . import lifecycle
from .models import PolicyPage

RELATIONS = (("supersedes", "废止"), ("amends", "修订"))


def attach_successors(pages):
    """The pages as a list; each outdated policy among them gets `newer_versions`:
    [{"page": newer live policy, "relation": "废止" | "修订"}], newest first."""
    pages = list(pages)
    outdated = {
        p.pk: p
        for p in pages
        if getattr(p, "type_key", "") == "policy" and p.validity_today in lifecycle.OUTDATED
    }
    for page in outdated.values():
        page.newer_versions = []
    if not outdated:
        return pages
    links = []  # (older id, newer id, relation)
    for field, relation in RELATIONS:
        through = getattr(PolicyPage, field).through
        pairs = through.objects.filter(to_policypage_id__in=list(outdated)).values_list(
            "to_policypage_id", "from_policypage_id"
        )
        links += [(older, newer, relation) for older, newer in pairs]
    newer = {
        p.pk: p
        for p in PolicyPage.objects.live()
        .public()
        .filter(pk__in={n for _, n, _ in links})
        .select_related("validity")
    }
    for older, newer_id, relation in links:
        policy = newer.get(newer_id)
        if policy is not None and policy.has_taken_effect():
            outdated[older].newer_versions.append({"page": policy, "relation": relation})
    for page in outdated.values():
        page.newer_versions.sort(key=lambda v: (v["page"].issued_on or "", v["page"].title), reverse=True)
    return pages
