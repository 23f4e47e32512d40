"""What the search index holds and how it is weighted: one definition for every reader and writer.

The embedded backend, the Elasticsearch backend, the facet shaping, the query parser and the
index writers take their field names, weights and facet names from here, so changing a weight
or adding a facet is one edit, and no backend imports another. The admin's search (Wagtail's own
index, search/wagtail_backend.py) weighs the page fields with the same WEIGHTS: each page type
puts its fields in these columns with `admin_search_fields`.
"""

# Searchable text fields of a SearchDocument and their weights: a title match outranks a match
# in the summary or the vocabulary terms, which outranks a match in the body.
WEIGHTS = {"title": 10.0, "summary": 4.0, "terms": 4.0, "body": 1.0}
WORD_COLUMNS = tuple(WEIGHTS)
# Single characters are indexed in a column of their own, for one-character queries.
CHAR_COLUMN = "chars"
# An exact (phrase) match of every word ranks above any relaxed match (议事规则 ↔ 议事程序与规则).
EXACT_BONUS = 1000.0

# sort=newest: the date a reader dates the page by, then (equal dates only) its first publication.
# Both are text that sorts as time does, descending; an unknown one is "" and so comes last, on
# every backend (SQL and Elasticsearch keyword order agree on these digits and separators).
NEWEST_ORDER = ("date", "published_at")

# Facet name → label, in the order the search page shows them.
FACETS = {
    "type": "类型",
    "issue": "议题",
    "region": "地区",
    "community_type": "社区类型",
    "actor": "治理主体",
    "method": "方法与机制",
    "level": "政策层级",
    "validity": "时效性",
    "issuer": "发文机关",
    "audience": "培训对象",
    "year": "年份",
}
# Facets shown with each result, so a reader can tell similar results apart (place, kind, status).
KEY_FIELDS = ("region", "community_type", "level", "validity", "issuer", "issue", "audience")
MAX_FACET_VALUE_LENGTH = 255  # SearchFacetValue.value
FACET_BUCKETS = 1000  # values listed per facet (Elasticsearch: the terms aggregation's size)
MAX_BODY_CHARS = 20_000
TITLE_KEY_LENGTH = 255  # SearchEntry.title_key: the 标题 sort's key
# A page whose vocabulary terms hold every word ranks above one that merely mentions them (tagged
# 停车难 for 停车), below an exact match of every word.
TAG_BONUS = 500.0
TAG_COLUMN = "terms"
# Pinyin: each text field's Chinese as toneless syllables, in a column of its own weighted as the
# field's words are (times PINYIN_WEIGHT), so a name typed in pinyin ranks the pages as the same
# name in characters does: found in a title above found in a body.
PINYIN_COLUMNS = {column: f"pinyin_{column}" for column in WORD_COLUMNS}
PINYIN_WEIGHT = 1.0


def admin_search_fields(**columns):
    """Wagtail search fields for the admin's search, by column of WEIGHTS, boosted by its weight.

    `admin_search_fields(title=["title"], terms=[("issues", "name")], body=["body"])`: a name is a
    field of the model, a tuple a relation and the fields of its targets. Each field remembers its
    column (`schema_column`), so a test can hold every boost to the schema.
    """
    from wagtail.search import index

    from .wagtail_backend import ReadOnceSearchField

    def field(name, column):
        # Wagtail keeps one search field per (class, name): `title` stays a plain SearchField so it
        # replaces Page's own, as before (a title is cheap to read anyway).
        field_class = index.SearchField if name == "title" else ReadOnceSearchField
        search_field = field_class(name, boost=WEIGHTS[column])
        search_field.schema_column = column
        return search_field

    fields = []
    for column, names in columns.items():
        if column not in WEIGHTS:
            raise KeyError(f"{column!r} is not a searchable column of search.schema.WEIGHTS")
        for name in names:
            if isinstance(name, tuple):
                relation, *targets = name
                fields.append(index.RelatedFields(relation, [field(target, column) for target in targets]))
            else:
                fields.append(field(name, column))
    return fields
