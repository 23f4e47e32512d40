"""Warnings on new regions that look like a typo of a known one (武候区 for 武侯区).

Regions are not a closed vocabulary, so a new place is created, not refused; but a name one edit
away from a place the site already has under the same parent is more often a slip than a new
place, and the importer says so before it writes.
"""

from kb.vocabularies.models import REGION_SEPARATOR, Region


def one_edit_apart(a, b):
    """True when b is a with one character changed, added or removed (and a != b)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1 :]


def close_regions(new_paths):
    """New path → the known path it is one edit away from (same parent), in one query."""
    by_parent = {}
    for path in new_paths:
        parent, _, name = path.rpartition(REGION_SEPARATOR)
        by_parent.setdefault(parent, []).append((path, name))
    known = Region.objects.filter(parent__path__in=[p for p in by_parent if p]).values_list(
        "parent__path", "name"
    )
    siblings = {}
    for parent, name in known:
        siblings.setdefault(parent, []).append(name)
    if "" in by_parent:
        siblings[""] = list(Region.objects.filter(parent=None).values_list("name", flat=True))
    close = {}
    for parent, entries in by_parent.items():
        for path, name in entries:
            match = next(
                (other for other in sorted(siblings.get(parent, [])) if one_edit_apart(name, other)), None
            )
            if match:
                close[path] = f"{parent}{REGION_SEPARATOR}{match}" if parent else match
    return close


def region_warning(path, known):
    return f"新地区“{path}”与已有的“{known}”只差一个字，是否写错？如确是新地区可忽略。"
