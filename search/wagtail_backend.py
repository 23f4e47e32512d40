"""Wagtail's own search backend, taught to find Chinese: WAGTAILSEARCH_BACKENDS["default"].

Everything in the admin that searches goes through it: the page search, the page chooser, the
snippet (vocabulary) listings, images and documents. The public search has its own index
(search/backends/); this one also has to find drafts and unpublished pages, which only Wagtail's
own index (wagtail.search.models.IndexEntry) holds.

Wagtail's database backends cut text into words at spaces and punctuation, so a Chinese title is
one long "word" and 停车 never matches 老旧小区停车难的协商. This backend is the stock one (SQLite
FTS5, PostgreSQL or MySQL, chosen as wagtail.search.backends.database chooses) for every query
without Chinese. A query with Chinese characters is split into words by search.analysis, each
word expanded with its synonyms, and matched as substrings of the plain text Wagtail already
stores for every object: every word must appear in the title or the body; objects with the words
in their title come first, then those that use them most often. Title and body weigh what they
weigh in the public search (search.schema.WEIGHTS), and the page types' admin search fields take
their boosts from the same weights (`search.schema.admin_search_fields`).

The index is left exactly as stock Wagtail writes it, so the stock backend reading the same rows
(benchmarks.relevance.stock_wagtail_search, the baseline) stays truly stock, and no reindex is needed.
"""

import re
import threading
from contextlib import contextmanager
from functools import cache, reduce
from operator import add, and_, or_

from django.db.models import Case, CharField, Count, Exists, F, FloatField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce, Length, Lower, Replace
from wagtail.search import index
from wagtail.search.backends import database
from wagtail.search.backends.base import BaseSearchQueryCompiler, BaseSearchResults, FilterFieldError
from wagtail.search.backends.database.fallback import DatabaseSearchBackend
from wagtail.search.models import IndexEntry
from wagtail.search.query import MATCH_NONE, And, Boost, Fuzzy, MatchAll, Not, Or, Phrase, PlainText
from wagtail.search.utils import get_descendants_content_types_pks

from .analysis import CJK_CHAR, highlight_terms, parse_query
from .schema import WEIGHTS

_CJK_RE = re.compile(f"[{CJK_CHAR}]")
SCORE_ALIAS = "_chinese_search_score"


def contains_chinese(query):
    """Whether a query (a string or a wagtail.search.query tree) has a Chinese character to match."""
    if isinstance(query, str):
        return bool(_CJK_RE.search(query))
    if isinstance(query, (PlainText, Phrase, Fuzzy)):
        return bool(_CJK_RE.search(query.query_string))
    if isinstance(query, (And, Or)):
        return any(contains_chinese(subquery) for subquery in query.subqueries)
    if isinstance(query, (Not, Boost)):
        return contains_chinese(query.subquery)
    return False


@cache
def text_columns():
    """IndexEntry's plain-text (title, body) columns: PostgreSQL keeps tsvectors in title/body."""
    names = {field.name for field in IndexEntry._meta.get_fields()}
    return ("title_text", "body_text") if "title_text" in names else ("title", "body")


# A condition on an index entry is a Q, or None for "no condition" (a query of punctuation only).
def _all(conditions):
    conditions = [c for c in conditions if c is not None]
    return reduce(and_, conditions) if conditions else None


def _any(conditions):
    return None if not conditions or None in conditions else reduce(or_, conditions)


def _contains_any(forms, columns):
    return _any([Q(**{f"{column}__icontains": form}) for form in forms for column in columns])


def _occurrences(column, form):
    """How often `form` occurs in the column: (length - length with it removed) / its length."""
    text = Lower(Coalesce(F(column), Value("")))
    return (Length(text) - Length(Replace(text, Value(form), Value("")))) / len(form)


class ChineseQueryCompiler(BaseSearchQueryCompiler):
    """Matches the query's words as substrings of the index entries' title and body text.

    The index holds the text as written, so a word matches the same characters in a row only:
    还权赋能 does not find 还权·赋能, which the public search (normalised text) does.
    """

    DEFAULT_OPERATOR = "and"
    HANDLES_ORDER_BY_EXPRESSIONS = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        title, body = text_columns()
        # `fields` narrows the search as on the stock backends: "title" is the title column, any
        # other search field is part of the body.
        self.columns = [
            column
            for column, wanted in (
                (title, self.fields is None or "title" in self.fields),
                (body, self.fields is None or any(field != "title" for field in self.fields)),
            )
            if wanted
        ]
        self.title_column = title if title in self.columns else None
        self.body_column = body if body in self.columns else None
        self.scored_words = []  # (forms) of every word that counts towards the score
        self.condition = self._condition(self.query)

    def _word_forms(self, text):
        """Each query word as the strings it may appear as: itself and its synonyms."""
        return [highlight_terms([word]) for word in parse_query(text)]

    def _condition(self, query, negated=False):
        if isinstance(query, MatchAll):
            return None
        if isinstance(query, (PlainText, Phrase, Fuzzy)):
            words = self._word_forms(query.query_string)
            if not negated:
                self.scored_words.extend(words)
            conditions = [_contains_any(forms, self.columns) for forms in words]
            return _any(conditions) if getattr(query, "operator", "and") == "or" else _all(conditions)
        if isinstance(query, And):
            return _all([self._condition(q, negated) for q in query.subqueries])
        if isinstance(query, Or):
            return _any([self._condition(q, negated) for q in query.subqueries])
        if isinstance(query, Not):
            condition = self._condition(query.subquery, not negated)
            return ~condition if condition is not None else Q(pk__in=[])
        if isinstance(query, Boost):
            return self._condition(query.subquery, negated)
        raise NotImplementedError(f"`{query.__class__.__name__}` is not supported by the Chinese search.")

    def _entries(self):
        """The queryset's object's index entry, for a subquery."""
        return IndexEntry.objects.filter(
            content_type_id__in=get_descendants_content_types_pks(self.queryset.model),
            object_id=Cast(OuterRef("pk"), output_field=CharField()),
        )

    def _score(self):
        """Weighted as the public search weighs its columns (search.schema.WEIGHTS): each word found
        in the title counts the title's weight; how often each occurs in the body adds less than
        the body's weight in all, so (the title weighing at least as much as the body) titles that
        have more of the words always come first."""
        title_weight, body_weight = WEIGHTS["title"], WEIGHTS["body"]
        title_hits = []
        if self.title_column:
            for forms in self.scored_words:
                title_hits.append(
                    Case(When(_contains_any(forms, [self.title_column]), then=title_weight), default=0.0)
                )
        body_weights = []
        if self.body_column:
            for forms in self.scored_words:
                count = Cast(
                    reduce(add, [_occurrences(self.body_column, form) for form in forms]), FloatField()
                )
                body_weights.append(body_weight * count / (count + 1.0) / (len(self.scored_words) + 1))
        return reduce(add, title_hits + body_weights, Value(0.0))

    def matching_queryset(self):
        if self.condition is None:
            return self.queryset
        return self.queryset.filter(Exists(self._entries().filter(self.condition)))

    def results_queryset(self, score_field=None):
        queryset = self.matching_queryset()
        if self.order_by_relevance or score_field:
            score = Subquery(
                self._entries().annotate(score=self._score()).values("score")[:1], output_field=FloatField()
            )
            queryset = queryset.alias(**{SCORE_ALIAS: Coalesce(score, 0.0)})
            if score_field:
                queryset = queryset.annotate(**{score_field: F(SCORE_ALIAS)})
        if self.order_by_relevance:
            queryset = queryset.order_by(F(SCORE_ALIAS).desc(), "-pk")
        elif not queryset.query.order_by:
            # Stable pages of results, as the stock backends do (wagtail#3729).
            queryset = queryset.order_by("-pk")
        return queryset


class ChineseSearchResults(BaseSearchResults):
    supports_facet = True

    def _do_search(self):
        return list(self.query_compiler.results_queryset(self._score_field)[self.start : self.stop])

    def _do_count(self):
        return self.query_compiler.matching_queryset()[self.start : self.stop].count()

    def facet(self, field_name):
        """Counts per value of a filter field, as the stock backends give them (the admin's page types)."""
        if self.query_compiler._get_filterable_field(field_name) is None:
            raise FilterFieldError(
                f'Cannot facet search results with field "{field_name}". Please add '
                f'index.FilterField("{field_name}") to {self.query_compiler.queryset.model.__name__}.search_fields.',
                field_name=field_name,
            )
        counts = (
            self.query_compiler.matching_queryset()
            .values(field_name)
            .annotate(count=Count("pk"))
            .order_by("-count")
        )
        return {row[field_name]: row["count"] for row in counts}


class ChineseSearchMixin:
    """Sends queries with Chinese characters to ChineseQueryCompiler, the rest to the stock backend."""

    def _search(self, query_compiler_class, query, model_or_queryset, **kwargs):
        if not contains_chinese(query):
            if isinstance(query, str):
                # A stray " ends SQLite's FTS5 quoting early (a 500 in the page chooser); every
                # backend's tokeniser drops it anyway. Nothing left matches nothing.
                query = query.replace('"', " ").strip() or MATCH_NONE
            return super()._search(query_compiler_class, query, model_or_queryset, **kwargs)
        # Autocomplete and search are the same here: a substring match is already a prefix match
        # (as on Wagtail's fallback database backend).
        results = super()._search(ChineseQueryCompiler, query, model_or_queryset, **kwargs)
        if results.query_compiler is None:  # nothing to search: model not indexed, no fields
            return results
        return ChineseSearchResults(self, results.query_compiler)


_reading = threading.local()


@contextmanager
def values_read_once():
    """While an index write runs, each ReadOnceSearchField value of an object is read once."""
    if getattr(_reading, "values", None) is not None:
        yield
        return
    _reading.values = {}
    try:
        yield
    finally:
        _reading.values = None


class ReadOnceSearchField(index.SearchField):
    """A search field read once per object and index write (`values_read_once`).

    Wagtail's database indexers go over every search field of an object three times (for its
    title, body and autocomplete text): a page's body StreamField was turned into text three times.
    Outside a write the value is read as usual, so an object changed and indexed again is read afresh.
    """

    def get_value(self, obj):
        values = getattr(_reading, "values", None)
        if values is None:
            return super().get_value(obj)
        key = (id(obj), self.field_name)
        held = values.get(key)
        if held is None or held[0] is not obj:  # holding the object keeps its id from being reused
            held = values[key] = (obj, super().get_value(obj))
        return held[1]


class ReadOnceIndexMixin:
    def add_items(self, model, objs):
        with values_read_once():
            return super().add_items(model, objs)


@cache
def _with_chinese(backend_class):
    stock_index = backend_class.index_class
    index_class = type(
        f"ReadOnce{stock_index.__name__}", (ReadOnceIndexMixin, stock_index), {"__module__": __name__}
    )
    return type(
        f"Chinese{backend_class.__name__}",
        (ChineseSearchMixin, backend_class),
        {"__module__": __name__, "index_class": index_class},
    )


def SearchBackend(params):
    """The database backend Wagtail would pick for this database, finding Chinese.

    Wagtail's fallback backend (a database without full-text search) is returned as it is: it does
    not use IndexEntry, and its substring matching on the model's fields already finds Chinese.
    """
    stock = database.SearchBackend(params)
    if isinstance(stock, DatabaseSearchBackend):
        return stock
    return _with_chinese(type(stock))(params)
