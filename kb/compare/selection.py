"""Which cases a reader is comparing: named in the URL (?pages=…), or gathered in the session.

The URL is the comparison (it can be shared and printed); the session list is only the reader's
tray while browsing, filled by the "加入对比" buttons, which are plain forms (no JavaScript).
"""

from django.apps import apps
from django.db.models import Q

MIN_PAGES, MAX_PAGES = 2, 4
SESSION_KEY = "kb_compare"


class SelectionError(ValueError):
    """A comparison that cannot be shown; the message is for readers, in Chinese."""


def case_model():
    return apps.get_model("cases", "CasePage")


def live_cases():
    return case_model().objects.live().public()


def resolve(values):
    """The live cases named by slug or id, in the order given; SelectionError otherwise."""
    values = list(dict.fromkeys(v.strip() for v in values if v.strip()))
    if len(values) < MIN_PAGES:
        raise SelectionError(f"请至少选择 {MIN_PAGES} 个案例进行对比（现在是 {len(values)} 个）。")
    if len(values) > MAX_PAGES:
        raise SelectionError(f"一次最多对比 {MAX_PAGES} 个案例（现在是 {len(values)} 个），请去掉几个。")
    ids = [int(v) for v in values if v.isdigit() and len(v) <= 18]  # a page id, not any number
    cases = (
        live_cases()
        .filter(Q(slug__in=values) | Q(pk__in=ids))
        .select_related("region", "community_type")
        .prefetch_related("issues", "actors", "methods")
    )
    by_key = {}
    for case in cases:
        by_key[case.slug] = case
        by_key[str(case.pk)] = case
    unknown = [v for v in values if v not in by_key]
    if unknown:
        raise SelectionError(
            f"找不到这些案例：{'、'.join(v[:60] for v in unknown)}。请检查链接，或从搜索结果中重新加入对比。"
        )
    chosen = list({by_key[v].pk: by_key[v] for v in values}.values())
    if len(chosen) < MIN_PAGES:
        raise SelectionError(f"请至少选择 {MIN_PAGES} 个不同的案例进行对比。")
    return chosen


def tray(session):
    """The ids in the reader's tray, in the order added."""
    ids = session.get(SESSION_KEY, [])
    return [i for i in ids if isinstance(i, int)][:MAX_PAGES]


def tray_cases(session):
    """The live cases in the tray (a case unpublished since is left out), in the order added."""
    ids = tray(session)
    if not ids:
        return []
    found = {
        case.pk: case for case in live_cases().filter(pk__in=ids).only("id", "title", "slug", "url_path")
    }
    return [found[i] for i in ids if i in found]


def save_tray(session, ids):
    session[SESSION_KEY] = list(dict.fromkeys(ids))[:MAX_PAGES]
