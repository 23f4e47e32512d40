"""The one interface every search backend implements, and the result shape they all return."""

from dataclasses import dataclass, field

from .. import analysis
from ..schema import KEY_FIELDS


@dataclass
class Hit:
    page_id: int
    title: str
    url: str
    type: str
    summary: str
    highlight: str
    date: str  # the reader's date (ISO, possibly partial), "" when the page has none
    date_label: str = ""  # that date as shown: "2015年起", "发布日期：2018年6月"
    score: float = 0.0
    fields: dict = field(default_factory=dict)  # key facet values shown with the result

    def key_fields(self):
        """{facet: [values]} of KEY_FIELDS, the region as its full path only."""
        shown = {}
        for facet in KEY_FIELDS:
            values = self.fields.get(facet, [])
            if facet == "region" and values:
                values = [max(values, key=len)]
            if values:
                shown[facet] = values
        return shown

    def as_json(self):
        return {
            "title": self.title,
            "url": self.url,
            "type": self.type,
            "summary": self.summary,
            "highlight": self.highlight,
            "date": self.date,
            "date_label": self.date_label,
            "fields": self.key_fields(),
        }


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool

    def as_json(self):
        return {"value": self.value, "label": self.label, "count": self.count, "selected": self.selected}


@dataclass
class SearchResults:
    query: object  # SearchQuery
    backend: str
    total: int
    hits: list
    facets: dict = field(default_factory=dict)  # facet → [FacetValue]
    relaxed: list = field(default_factory=list)  # query words not found as typed: looser forms shown

    @property
    def notice(self):
        """未找到‘停车位’，显示相近结果: said when a word was searched in a looser form."""
        if not self.relaxed:
            return ""
        return "未找到" + "、".join(f"‘{word}’" for word in self.relaxed) + "，显示相近结果"

    def as_json(self):
        return {
            "query": self.query.q,
            "backend": self.backend,
            "total": self.total,
            "page": self.query.page,
            "page_size": self.query.page_size,
            "results": [hit.as_json() for hit in self.hits],
            "facets": {name: [v.as_json() for v in values] for name, values in self.facets.items()},
            "relaxed": self.relaxed,
            "notice": self.notice or None,
        }


class SearchBackend:
    name = ""

    def index(self, documents):
        """Add or replace the entries of these SearchDocuments."""
        raise NotImplementedError

    def remove(self, page_ids):
        raise NotImplementedError

    def clear(self):
        raise NotImplementedError

    def rebuild(self, batches):
        """Replace the whole index with these lists of SearchDocuments; the number indexed.

        Searches see the old index until the new one is complete.
        """
        raise NotImplementedError

    def search(self, query):
        """SearchResults for a validated SearchQuery."""
        raise NotImplementedError

    def finds_anything(self, options):
        """Whether any indexed page matches any of these analysis options."""
        raise NotImplementedError

    def analyse(self, text):
        """The query's words as this index will search them (a word that finds nothing relaxed)."""
        return analysis.resolve(analysis.parse_query(text), self.finds_anything)
