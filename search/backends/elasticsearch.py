"""The Elasticsearch backend, through elasticsearch-dsl.

It indexes the tokens of `search.analysis` (the analysis the embedded backend uses) into fields
split on whitespace, so both backends match exactly the same pages for a query. The page's own
text is kept too, analysed with the built-in `cjk` analyser, for Elasticsearch's highlighter: the
bigrams it makes find a query word wherever our tokens do, which a word segmenter (IK, smartcn)
would not (停车 inside a segmented 停车位).

The site reads the alias `ELASTICSEARCH_INDEX`; the real indexes behind it are versioned
(`kb-20261122-101500-1a2b3c`). A rebuild fills a new index and swaps the alias in one request,
so searches never see a half-built index.
"""

import hashlib
import json
import logging
import time
import uuid
from functools import cache

import urllib3
from django.conf import settings
from elastic_transport import Urllib3HttpNode
from elastic_transport._models import DEFAULT
from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError, helpers
from elasticsearch.helpers import BulkIndexError
from elasticsearch_dsl import (
    A,
    Document,
    Index,
    Integer,
    Keyword,
    MetaField,
    Object,
    Q,
    Search,
    Text,
    analyzer,
)

from .. import analysis
from ..facets import shape_facets
from ..highlight import SNIPPET_LENGTH, snippet
from ..ranking import bonus_tiers, word_options
from ..schema import (  # FACET_BUCKETS: a terms aggregation returns 10 buckets unless told otherwise
    FACET_BUCKETS,
    FACETS,
    NEWEST_ORDER,
    PINYIN_COLUMNS,
    PINYIN_WEIGHT,
    TAG_COLUMN,
    WEIGHTS,
    WORD_COLUMNS,
)
from .base import Hit, SearchBackend, SearchResults

logger = logging.getLogger(__name__)

BULK_CHUNK = 500
GENERATION_META_KEY = "kb_generation"  # in the index mapping's _meta: which rebuild filled it
MAPPING_META_KEY = "kb_mapping"  # and the fingerprint of the mapping it was made with
BULK_MAX_BYTES = 10 * 1024 * 1024  # a bulk request is cut at this size too: long policies are large

# Our tokens are already analysed: the index only splits them on spaces.
pre_analysed = analyzer("kb_pre_analysed", tokenizer="whitespace")


class PageDocument(Document):
    """One live page. `words` and `chars` match and rank; the rest is shown, highlighted or filtered."""

    page_id = Integer()
    type = Keyword()
    title = Text(analyzer="cjk")
    title_key = Keyword()  # the 标题 sort
    url = Keyword(index=False)
    summary = Text(analyzer="cjk")
    body = Text(analyzer="cjk")
    date = Keyword()  # the reader's date; absent when none (sorts last, as "" does in SQL)
    date_label = Keyword(index=False)
    published_at = Keyword()
    words = Object(properties={column: Text(analyzer=pre_analysed) for column in WORD_COLUMNS})
    chars = Text(analyzer=pre_analysed)
    pinyin = Object(properties={column: Text(analyzer=pre_analysed) for column in WORD_COLUMNS})
    facets = Object(properties={facet: Keyword() for facet in FACETS})

    class Meta:
        dynamic = MetaField("strict")

    @classmethod
    def from_search_document(cls, document):
        tokens = document.tokens
        return cls(
            page_id=document.page_id,
            type=document.type,
            title=document.title,
            title_key=document.title_key,
            url=document.url,
            summary=document.summary,
            body=document.body,
            date=document.date,
            date_label=document.date_label,
            published_at=document.published_at,
            words={column: tokens[column] for column in WORD_COLUMNS},
            chars=tokens["chars"],
            pinyin={column: tokens[PINYIN_COLUMNS[column]] for column in WORD_COLUMNS},
            facets={facet: list(dict.fromkeys(values)) for facet, values in document.facets.items()},
        )


class ShortConnectNode(Urllib3HttpNode):
    """Gives up connecting after `connect_timeout` seconds, whatever the request's read timeout.

    A cluster that accepts connections and never answers (hung, not down) is detected by the read
    timeout; one that is gone by the connect timeout, which can be much shorter.
    """

    connect_timeout = 0.5

    def perform_request(self, method, target, body=None, headers=None, request_timeout=DEFAULT, **kwargs):
        read = self.config.request_timeout if request_timeout is DEFAULT else request_timeout
        timeout = urllib3.Timeout(connect=min(self.connect_timeout, read or self.connect_timeout), read=read)
        return super().perform_request(
            method, target, body=body, headers=headers, request_timeout=timeout, **kwargs
        )


class PlainJsonNode(ShortConnectNode):
    """Sends `application/json` where the client would send its versioned media type.

    The elasticsearch client always asks for `application/vnd.elasticsearch+json;
    compatible-with=8`, which some Elasticsearch-compatible servers refuse (ELASTICSEARCH_PLAIN_JSON).
    """

    def perform_request(self, method, target, body=None, headers=None, **kwargs):
        if headers:
            headers = headers.copy()
            for name in ("accept", "content-type"):
                value = headers.get(name)
                if value and "vnd.elasticsearch+" in value:
                    headers[name] = "application/" + value.split("vnd.elasticsearch+", 1)[1].split(";")[0]
        return super().perform_request(method, target, body=body, headers=headers, **kwargs)


@cache
def _client(url, plain_json, timeout, connect_timeout):
    node_class = type(
        "KbNode", (PlainJsonNode if plain_json else ShortConnectNode,), {"connect_timeout": connect_timeout}
    )
    return Elasticsearch(url, request_timeout=timeout, max_retries=0, node_class=node_class)


def get_client():
    """The one place that builds the Elasticsearch client, from settings.

    Every request waits at most ELASTICSEARCH_CONNECT_TIMEOUT to connect and ELASTICSEARCH_TIMEOUT
    for an answer (searches, checks); writes ask for ELASTICSEARCH_WRITE_TIMEOUT (`write_client`).
    """
    return _client(
        settings.ELASTICSEARCH_URL,
        settings.ELASTICSEARCH_PLAIN_JSON,
        float(settings.ELASTICSEARCH_TIMEOUT),
        float(settings.ELASTICSEARCH_CONNECT_TIMEOUT),
    )


class SearchUnavailable(RuntimeError):
    """Elasticsearch could not be reached; the caller falls back to the database backend."""


class MalformedResponse(SearchUnavailable):
    """The cluster answered, but not in the shape a search or bulk answer has (`{}`, hits as a string)."""


# Unreachable (connection refused, timeout: TransportError), refusing the request (ApiError,
# BulkIndexError) or answering nonsense (MalformedResponse): either way the database answers, and
# queued changes stay queued.
UNAVAILABLE_ERRORS = (TransportError, ApiError, BulkIndexError, MalformedResponse)
# What elasticsearch-py and elasticsearch-dsl raise when an answer lacks the keys they read.
SHAPE_ERRORS = (KeyError, TypeError, AttributeError, IndexError, ValueError)


def check_search_shape(raw):
    """Raise MalformedResponse unless `raw` looks like the answer to our search request."""
    hits = raw.get("hits") if isinstance(raw, dict) else None
    total = hits.get("total") if isinstance(hits, dict) else None
    aggregations = raw.get("aggregations") if isinstance(raw, dict) else None
    if not (
        isinstance(hits, dict)
        and isinstance(hits.get("hits"), list)
        and all(isinstance(hit, dict) and isinstance(hit.get("_source"), dict) for hit in hits["hits"])
        and isinstance(total, dict)
        and isinstance(total.get("value"), int)
        and isinstance(aggregations, dict)
        and isinstance(aggregations.get("shared"), dict)
    ):
        raise MalformedResponse(f"unexpected search answer: {str(raw)[:200]}")


@cache
def mapping_fingerprint():
    """A short digest of PageDocument's mapping: an index made with another one needs a rebuild."""
    mapping = json.dumps(PageDocument._doc_type.mapping.to_dict(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(mapping.encode()).hexdigest()[:16]


def sort_clauses(sort):
    """The sort of a search, as the database backend orders it (`order_sql`): `newest` by
    schema.NEWEST_ORDER then the score, `relevance` the other way. An empty value is not stored
    (elasticsearch-dsl skips it), and a missing one sorts last, as "" does in SQL. `title` by the
    title's pinyin key."""
    if sort == "title":
        return [{"title_key": "asc"}, {"page_id": "asc"}]
    newest = [{column: {"order": "desc", "missing": "_last"}} for column in NEWEST_ORDER]
    if sort == "newest":
        return [*newest, "_score", {"page_id": "asc"}]
    return ["_score", *newest, {"page_id": "asc"}]


def new_index_name(alias):
    return f"{alias}-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self, client=None, alias=None):
        self.client = client or get_client()
        self.alias = alias or settings.ELASTICSEARCH_INDEX

    # Index lifecycle -----------------------------------------------------------------------

    def create_index(self, generation=""):
        """A new, empty, versioned index with our mapping, marked with `generation`; returns its name."""
        name = new_index_name(self.alias)
        index = Index(name, using=self.client)
        index.settings(number_of_shards=1, number_of_replicas=0)
        # The mapping only: `index.document()` would tie PageDocument to this one index for good.
        index.mapping(PageDocument._doc_type.mapping)
        body = index.to_dict()
        body.setdefault("mappings", {})["_meta"] = {
            GENERATION_META_KEY: generation,
            MAPPING_META_KEY: mapping_fingerprint(),
        }
        self.write_client.indices.create(index=name, **body)
        return name

    def markers_behind_alias(self):
        """{index name: (generation, mapping fingerprint)} of the indexes behind the alias ({} when
        there is none): which rebuild filled each, and with which mapping."""
        try:
            mappings = self.client.indices.get_mapping(index=self.alias)
        except NotFoundError:
            return {}
        try:
            metas = {
                name: (body.get("mappings") or {}).get("_meta") or {} for name, body in mappings.body.items()
            }
            return {
                name: (meta.get(GENERATION_META_KEY, ""), meta.get(MAPPING_META_KEY, ""))
                for name, meta in metas.items()
            }
        except SHAPE_ERRORS as error:
            raise MalformedResponse(f"unexpected mapping answer: {str(mappings)[:200]}") from error

    def count(self):
        """The number of pages in the index behind the alias."""
        answer = self.client.count(index=self.alias)
        count = answer.body.get("count") if isinstance(answer.body, dict) else None
        if not isinstance(count, int):
            raise MalformedResponse(f"unexpected count answer: {str(answer)[:200]}")
        return count

    def indexes_behind_alias(self):
        try:
            return sorted(self.client.indices.get_alias(name=self.alias))
        except NotFoundError:
            return []

    def point_alias_at(self, name):
        """Swap the alias to `name` in one request, then drop the indexes it pointed at before."""
        previous = self.indexes_behind_alias()
        actions = [{"remove": {"index": old, "alias": self.alias}} for old in previous]
        actions.append({"add": {"index": name, "alias": self.alias}})
        if self.client.indices.exists(index=self.alias) and not previous:
            # An index (not an alias) of that name, from elsewhere: the swap removes it.
            actions.insert(0, {"remove_index": {"index": self.alias}})
        self.write_client.indices.update_aliases(actions=actions)
        for old in previous:
            if old != name:
                self.write_client.indices.delete(index=old, ignore_unavailable=True)

    @staticmethod
    def _action(document):
        return {"_id": document.page_id, "_source": PageDocument.from_search_document(document).to_dict()}

    @property
    def write_client(self):
        return self.client.options(request_timeout=float(settings.ELASTICSEARCH_WRITE_TIMEOUT))

    def _bulk(self, actions, index, refresh, **options):
        try:
            helpers.bulk(
                self.write_client,
                actions,
                index=index,
                chunk_size=BULK_CHUNK,
                max_chunk_bytes=BULK_MAX_BYTES,
                refresh=refresh,
                **options,
            )
        except SHAPE_ERRORS as error:
            raise MalformedResponse(f"unexpected bulk answer: {error!r}") from error

    def index(self, documents):
        """Add or replace entries in the index behind the alias (never creates one: see rebuild)."""
        self._bulk((self._action(document) for document in documents), self.alias, refresh=True)

    def remove(self, page_ids):
        actions = ({"_op_type": "delete", "_id": page_id} for page_id in page_ids)
        self._bulk(actions, self.alias, refresh=True, raise_on_error=False)

    def clear(self):
        self.point_alias_at(self.create_index())

    def rebuild(self, batches, generation=""):
        """Fill a new index, then swap the alias to it: searches see the old index until then."""
        name = self.create_index(generation)
        count = 0
        try:
            for batch in batches:
                self._bulk((self._action(document) for document in batch), name, refresh=False)
                count += len(batch)
            self.write_client.indices.refresh(index=name)
            self.point_alias_at(name)
        except BaseException:
            self.write_client.indices.delete(index=name, ignore_unavailable=True)
            raise
        return count

    # Search ----------------------------------------------------------------------------------

    @staticmethod
    def _phrase(sequence, tags=False):
        """One analysis.Sequence as a phrase query on the fields that hold its kind of token."""
        text = " ".join(sequence.tokens)
        if tags:
            return Q("match_phrase", **{f"words.{TAG_COLUMN}": text})
        if sequence.field in (analysis.WORDS, analysis.PINYIN):
            # Each field weighted as in the database backend, and their scores added (tie_breaker
            # 1.0) as SQLite's bm25 adds its columns', not the best field's alone.
            factor = PINYIN_WEIGHT if sequence.field == analysis.PINYIN else 1.0
            fields = [f"{sequence.field}.{column}^{WEIGHTS[column] * factor}" for column in WORD_COLUMNS]
            return Q("multi_match", query=text, type="phrase", fields=fields, tie_breaker=1.0)
        return Q("match_phrase", **{sequence.field: text})

    def options_query(self, options, tags=False):
        """Any of the options, each of whose sequences must all appear."""
        queries = [
            self._phrase(option[0], tags)
            if len(option) == 1
            else Q("bool", must=[self._phrase(s, tags) for s in option])
            for option in options
        ]
        return queries[0] if len(queries) == 1 else Q("bool", should=queries, minimum_should_match=1)

    def tier_query(self, words, strict=False, tags=False):
        """Pages matching every word in one tier; None when the tier can match nothing."""
        clauses = []
        for word in words:
            options = word_options(word, strict, tags)
            if options:
                clauses.append(self.options_query(options, tags))
            elif not tags:
                return None
        return Q("bool", must=clauses) if clauses else None

    def text_query(self, words):
        """Every word must match; exact matches of every word, then tagged pages, rank first."""
        if not words:
            return Q("match_all")
        query = self.tier_query(words)
        if query is None:
            return Q("match_none")
        bonuses = []
        for strict, tags, bonus in bonus_tiers(words):
            if tier := self.tier_query(words, strict, tags):
                bonuses.append(Q("constant_score", filter=tier, boost=bonus))
        return Q("bool", must=[query], should=bonuses) if bonuses else query

    def finds_anything(self, options):
        search = Search(using=self.client, index=self.alias).query(self.options_query(options))
        try:
            response = search.extra(size=0, terminate_after=1, track_total_hits=1).execute()
        except UNAVAILABLE_ERRORS as error:
            raise SearchUnavailable(str(error)) from error
        return response.hits.total.value > 0

    @staticmethod
    def filter_query(filters, excluded_facet=None):
        clauses = [
            Q("terms", **{f"facets.{facet}": values})
            for facet, values in filters.items()
            if facet != excluded_facet
        ]
        return Q("bool", filter=clauses) if clauses else Q("match_all")

    def build_search(self, query, words):
        search = Search(using=self.client, index=self.alias).query(self.text_query(words))
        if query.filters:
            search = search.post_filter(self.filter_query(query.filters))
        # Facets without a filter of their own share every filter: one aggregation counts them.
        shared = A("filter", filter=self.filter_query(query.filters))
        for facet in FACETS:
            if facet not in query.filters:
                shared.bucket(facet, "terms", field=f"facets.{facet}", size=FACET_BUCKETS)
        search.aggs.bucket("shared", shared)
        for facet in query.filters:
            search.aggs.bucket(
                f"own_{facet}", "filter", filter=self.filter_query(query.filters, facet)
            ).bucket(facet, "terms", field=f"facets.{facet}", size=FACET_BUCKETS)
        search = search.sort(*sort_clauses(query.sort))
        terms = analysis.highlight_terms(words)
        if terms:
            search = search.highlight(
                "summary", "body", fragment_size=SNIPPET_LENGTH, number_of_fragments=1, no_match_size=0
            ).highlight_options(
                encoder="html",
                pre_tags=["<mark>"],
                post_tags=["</mark>"],
                highlight_query=Q(
                    "bool",
                    should=[
                        Q("match_phrase", **{field: term}) for term in terms for field in ("summary", "body")
                    ],
                ).to_dict(),
            )
        search = search.source(
            ["page_id", "title", "url", "type", "summary", "body", "date", "date_label", "facets"]
        )
        return search.extra(from_=query.offset, size=query.page_size, track_total_hits=True)

    def search(self, query):
        words = self.analyse(query.q)
        try:
            response = self.build_search(query, words).execute()
            check_search_shape(response.to_dict())
            return self._results(query, words, response)
        except MalformedResponse:
            raise
        except UNAVAILABLE_ERRORS as error:
            raise SearchUnavailable(str(error)) from error
        except SHAPE_ERRORS as error:  # a well-formed answer with odd values inside
            raise MalformedResponse(f"unexpected search answer: {error!r}") from error

    def _results(self, query, words, response):
        raw_facets = {facet: {} for facet in FACETS}
        aggregations = response.aggregations.to_dict()
        for facet in FACETS:
            container = aggregations.get(f"own_{facet}") or aggregations["shared"]
            for bucket in container.get(facet, {}).get("buckets", []):
                raw_facets[facet][bucket["key"]] = bucket["doc_count"]
        terms = analysis.highlight_terms(words)
        readings = analysis.pinyin_readings(words)
        hits = []
        for hit in response.hits:
            fragments = hit.meta.to_dict().get("highlight", {})
            marked = next((fragments[f][0] for f in ("summary", "body") if fragments.get(f)), None)
            hits.append(
                Hit(
                    page_id=hit.page_id,
                    title=hit.title,
                    url=hit.url,
                    type=hit.type,
                    summary=hit.summary,
                    # Without a marked passage (a match in the title or terms), the same snippet
                    # the database backend gives: the start of the summary.
                    highlight=marked or snippet([hit.summary, hit.body], terms, readings),
                    date=getattr(hit, "date", ""),  # an empty value is not stored
                    date_label=getattr(hit, "date_label", ""),
                    score=hit.meta.score or 0.0,
                    fields=hit.to_dict().get("facets", {}),
                )
            )
        return SearchResults(
            query=query,
            backend=self.name,
            total=response.hits.total.value,
            hits=hits,
            facets=shape_facets(raw_facets, query),
            relaxed=analysis.relaxed_words(words),
        )
