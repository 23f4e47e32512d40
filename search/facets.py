"""Facet values as users see them: labels, order, and which are selected. Shared by all backends."""

from kb.core.page_types import type_labels

from .backends.base import FacetValue
from .schema import FACET_BUCKETS, FACETS

REGION_FACET_DEPTH = 2  # the region facet lists provinces and cities


def region_depth(path):
    return path.count("/") + 1


def facet_values(facet, counts, selected):
    """[FacetValue] from {value: count}: selected values always listed, so they can be removed."""
    counts = dict(counts)
    for value in selected:
        counts.setdefault(value, 0)
    items = []
    for value, count in counts.items():
        if facet == "region" and region_depth(value) > REGION_FACET_DEPTH and value not in selected:
            continue
        label = type_labels().get(value, value) if facet == "type" else value
        items.append(FacetValue(value=value, label=label, count=count, selected=value in selected))
    if facet == "year":
        items.sort(key=lambda v: v.value, reverse=True)
    elif facet == "type":
        order = list(type_labels())
        items.sort(key=lambda v: order.index(v.value) if v.value in order else len(order))
    else:
        items.sort(key=lambda v: (-v.count, v.value))
        # The values Elasticsearch returns (its top FACET_BUCKETS), on every backend: a facet with
        # more values (发文机关 at 100,000 policies) lists the same ones everywhere.
        if len(items) > FACET_BUCKETS:
            items = [v for i, v in enumerate(items) if i < FACET_BUCKETS or v.selected]
    return items


def shape_facets(raw, query):
    """{facet: [FacetValue]} in the order of FACETS, leaving out facets with nothing to show."""
    shaped = {}
    for facet in FACETS:
        values = facet_values(facet, raw.get(facet, {}), query.filters.get(facet, []))
        if values:
            shaped[facet] = values
    return shaped


# Values a facet lists on an HTML page (selected ones always): enough for every closed vocabulary
# (议题 has 21 terms), while a facet of thousands (发文机关 at 100,000 policies) stays a short list.
MAX_LISTED_VALUES = 50


def listed(values):
    """The first MAX_LISTED_VALUES of a facet's [FacetValue], and every selected one."""
    return [value for i, value in enumerate(values) if i < MAX_LISTED_VALUES or value.selected]
