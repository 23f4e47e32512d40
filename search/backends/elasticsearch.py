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

import logging
import time
import uuid
from functools import cache

from django.conf import settings
from elastic_transport import Urllib3HttpNode
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
from ..schema import EXACT_BONUS, FACETS, WEIGHTS, WORD_COLUMNS
from .base import Hit, SearchBackend, SearchResults

logger = logging.getLogger(__name__)

FACET_BUCKETS = 1000  # a terms aggregation returns 10 buckets unless told otherwise
BULK_CHUNK = 500
BULK_MAX_BYTES = 10 * 1024 * 1024  # a bulk request is cut at this size too: long policies are large
REQUEST_TIMEOUT = 10  # seconds; a search that waits longer is better answered by the database

# Our tokens are already analysed: the index only splits them on spaces.
pre_analysed = analyzer("kb_pre_analysed", tokenizer="whitespace")


class PageDocument(Document):
    """One live page. `words` and `chars` match and rank; the rest is shown, highlighted or filtered."""

    page_id = Integer()
    type = Keyword()
    title = Text(analyzer="cjk")
    url = Keyword(index=False)
    summary = Text(analyzer="cjk")
    body = Text(analyzer="cjk")
    date = Keyword()
    words = Object(properties={column: Text(analyzer=pre_analysed) for column in WORD_COLUMNS})
    chars = Text(analyzer=pre_analysed)
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
            url=document.url,
            summary=document.summary,
            body=document.body,
            date=document.date,
            words={column: tokens[column] for column in WORD_COLUMNS},
            chars=tokens["chars"],
            facets={facet: list(dict.fromkeys(values)) for facet, values in document.facets.items()},
        )


class PlainJsonNode(Urllib3HttpNode):
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
def _client(url, plain_json):
    options = {"request_timeout": REQUEST_TIMEOUT, "max_retries": 0}
    if plain_json:
        options["node_class"] = PlainJsonNode
    return Elasticsearch(url, **options)


def get_client():
    """The one place that builds the Elasticsearch client, from settings."""
    return _client(settings.ELASTICSEARCH_URL, settings.ELASTICSEARCH_PLAIN_JSON)


class SearchUnavailable(RuntimeError):
    """Elasticsearch could not be reached; the caller falls back to the database backend."""


# Unreachable (connection refused, timeout: TransportError) or refusing the request (ApiError,
# BulkIndexError): either way the database answers, and queued changes stay queued.
UNAVAILABLE_ERRORS = (TransportError, ApiError, BulkIndexError)


def new_index_name(alias):
    return f"{alias}-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self, client=None, alias=None):
        self.client = client or get_client()
        self.alias = alias or settings.ELASTICSEARCH_INDEX

    # Index lifecycle -----------------------------------------------------------------------

    def create_index(self):
        """A new, empty, versioned index with our mapping; returns its name."""
        name = new_index_name(self.alias)
        index = Index(name, using=self.client)
        index.settings(number_of_shards=1, number_of_replicas=0)
        # The mapping only: `index.document()` would tie PageDocument to this one index for good.
        index.mapping(PageDocument._doc_type.mapping)
        index.create()
        return name

    def indexes_behind_alias(self):
        try:
            return sorted(self.client.indices.get_alias(name=self.alias))
        except NotFoundError:
            return []

    def ensure_index(self):
        """The alias exists and points at an index (made empty the first time)."""
        if self.indexes_behind_alias():
            return
        self.point_alias_at(self.create_index())

    def point_alias_at(self, name):
        """Swap the alias to `name` in one request, then drop the indexes it pointed at before."""
        previous = self.indexes_behind_alias()
        actions = [{"remove": {"index": old, "alias": self.alias}} for old in previous]
        actions.append({"add": {"index": name, "alias": self.alias}})
        if self.client.indices.exists(index=self.alias) and not previous:
            # An index (not an alias) of that name, from elsewhere: the swap removes it.
            actions.insert(0, {"remove_index": {"index": self.alias}})
        self.client.indices.update_aliases(actions=actions)
        for old in previous:
            if old != name:
                self.client.indices.delete(index=old, ignore_unavailable=True)

    @staticmethod
    def _action(document):
        return {"_id": document.page_id, "_source": PageDocument.from_search_document(document).to_dict()}

    def _bulk(self, actions, index, refresh):
        helpers.bulk(
            self.client,
            actions,
            index=index,
            chunk_size=BULK_CHUNK,
            max_chunk_bytes=BULK_MAX_BYTES,
            refresh=refresh,
        )

    def index(self, documents):
        self.ensure_index()
        self._bulk((self._action(document) for document in documents), self.alias, refresh=True)

    def remove(self, page_ids):
        self.ensure_index()
        actions = ({"_op_type": "delete", "_id": page_id} for page_id in page_ids)
        helpers.bulk(self.client, actions, index=self.alias, refresh=True, raise_on_error=False)

    def clear(self):
        self.point_alias_at(self.create_index())

    def rebuild(self, batches):
        """Fill a new index, then swap the alias to it: searches see the old index until then."""
        name = self.create_index()
        count = 0
        try:
            for batch in batches:
                self._bulk((self._action(document) for document in batch), name, refresh=False)
                count += len(batch)
            self.client.indices.refresh(index=name)
            self.point_alias_at(name)
        except BaseException:
            self.client.indices.delete(index=name, ignore_unavailable=True)
            raise
        return count

    # Search ----------------------------------------------------------------------------------

    @staticmethod
    def _phrase(tokens):
        fields = [f"words.{column}^{WEIGHTS[column]}" for column in WORD_COLUMNS]
        return Q("multi_match", query=" ".join(tokens), type="phrase", fields=fields)

    def _word_query(self, word, relaxed):
        if word.single_char:
            return Q("match", chars=word.text)
        options = [self._phrase(tokens) for tokens in word.alternatives]
        if relaxed:
            options += [Q("bool", must=[self._phrase((part,)) for part in parts]) for parts in word.relaxed]
        return options[0] if len(options) == 1 else Q("bool", should=options, minimum_should_match=1)

    def text_query(self, words):
        """Every word must match; with looser forms in play, exact matches of every word rank first."""
        if not words:
            return Q("match_all")
        query = Q("bool", must=[self._word_query(word, relaxed=True) for word in words])
        if any(word.relaxed for word in words):
            strict = Q("bool", filter=[self._word_query(word, relaxed=False) for word in words])
            query = Q("bool", must=[query], should=[Q("constant_score", filter=strict, boost=EXACT_BONUS)])
        return query

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
        if query.sort == "newest":
            search = search.sort({"date": "desc"}, "_score", {"page_id": "asc"})
        else:
            search = search.sort("_score", {"date": "desc"}, {"page_id": "asc"})
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
        search = search.source(["page_id", "title", "url", "type", "summary", "body", "date", "facets"])
        return search.extra(from_=query.offset, size=query.page_size, track_total_hits=True)

    def search(self, query):
        words = analysis.parse_query(query.q)
        try:
            response = self.build_search(query, words).execute()
        except UNAVAILABLE_ERRORS as error:
            raise SearchUnavailable(str(error)) from error
        raw_facets = {facet: {} for facet in FACETS}
        aggregations = response.aggregations.to_dict()
        for facet in FACETS:
            container = aggregations.get(f"own_{facet}") or aggregations["shared"]
            for bucket in container.get(facet, {}).get("buckets", []):
                raw_facets[facet][bucket["key"]] = bucket["doc_count"]
        terms = analysis.highlight_terms(words)
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
                    highlight=marked or snippet([hit.summary, hit.body], terms),
                    date=hit.date,
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
        )
