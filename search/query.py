"""Search parameters, validated once for the JSON API, the HTML page and commands (INTERFACES §4)."""

from dataclasses import dataclass, field

from kb.core.page_types import type_labels

from .schema import FACETS

MAX_QUERY_LENGTH = 200
MAX_VALUES_PER_FACET = 30  # more values than any facet needs: each one costs work and chip URLs
MAX_QUERY_STRING = 4000  # characters of the encoded query string, for the HTML page and the API
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_RESULT_WINDOW = 10_000  # Elasticsearch's default limit on from + size; the same on every backend
SORTS = {"relevance": "相关度", "newest": "最新", "title": "标题"}  # title: by its pinyin


class BadQuery(ValueError):
    """A parameter the user can fix; the message is shown to users, in Chinese."""


@dataclass
class SearchQuery:
    q: str = ""
    filters: dict = field(default_factory=dict)  # facet → [values]; OR within, AND across
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    sort: str = "relevance"

    @property
    def offset(self):
        return (self.page - 1) * self.page_size


def _positive_int(raw, name, label, maximum=None):
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise BadQuery(f"{label}（{name}）应为正整数。") from None
    if value < 1 or (maximum and value > maximum):
        limit = f"1 到 {maximum} 之间的整数" if maximum else "正整数"
        raise BadQuery(f"{label}（{name}）应为{limit}。")
    return value


def check_query_string(query_string):
    """BadQuery when the raw query string is longer than any search needs."""
    if len(query_string) > MAX_QUERY_STRING:
        raise BadQuery(f"请求参数过长：最多 {MAX_QUERY_STRING} 个字符，请减少筛选条件。")


def parse_params(params):
    """A SearchQuery from request parameters (a QueryDict), or BadQuery."""
    q = params.get("q", "").strip()
    if len(q) > MAX_QUERY_LENGTH:
        raise BadQuery(f"搜索词过长：最多 {MAX_QUERY_LENGTH} 个字符。")
    if "\x00" in q:
        raise BadQuery("搜索词中含有无效字符。")
    filters = {}
    for facet in FACETS:
        values = [v.strip() for v in params.getlist(facet) if v.strip()]
        if len(values) > MAX_VALUES_PER_FACET:
            raise BadQuery(f"筛选条件“{FACETS[facet]}”最多可选 {MAX_VALUES_PER_FACET} 个值。")
        if values:
            filters[facet] = list(dict.fromkeys(values))
    for value in filters.get("type", []):
        if value not in type_labels():
            raise BadQuery(f"未知的类型“{value}”，可选：{', '.join(type_labels())}。")
    sort = params.get("sort", "relevance") or "relevance"
    if sort not in SORTS:
        raise BadQuery(f"未知的排序方式“{sort}”，可选：{', '.join(SORTS)}。")
    page = _positive_int(params.get("page", 1) or 1, "page", "页码")
    page_size = _positive_int(
        params.get("page_size", DEFAULT_PAGE_SIZE) or DEFAULT_PAGE_SIZE,
        "page_size",
        "每页条数",
        MAX_PAGE_SIZE,
    )
    if page * page_size > MAX_RESULT_WINDOW:
        raise BadQuery(f"只能翻看前 {MAX_RESULT_WINDOW} 条结果：请加上筛选条件或换用更具体的搜索词。")
    return SearchQuery(q=q, filters=filters, page=page, page_size=page_size, sort=sort)
