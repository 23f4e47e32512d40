"""What the search index holds for a page: one builder, used by every backend."""

import datetime
import re
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.html import strip_tags

from . import analysis
from .schema import MAX_BODY_CHARS, TITLE_KEY_LENGTH


@dataclass
class SearchDocument:
    page_id: int
    type: str
    title: str
    url: str
    summary: str
    date: str  # the date a reader dates the page by (ISO, possibly partial; "" for none): "newest"
    date_label: str  # that date as shown, saying what it is: "2015年起", "发布日期：2018年6月"
    published_at: str  # first publication (UTC, ISO to the millisecond): orders equal dates
    terms: str  # vocabulary terms and other labels, searchable as text
    body: str  # plain text
    facets: dict = field(default_factory=dict)  # facet → [values]

    @property
    def tokens(self):
        """Analysed text by field, as every backend indexes it."""
        return analysis.index_fields(
            {"title": self.title, "summary": self.summary, "terms": self.terms, "body": self.body}
        )

    @property
    def title_key(self):
        """What the 标题 sort orders by: the title's pinyin (院落自治 → yuanluozizhi), lower case,
        so titles sort as readers look them up rather than by code point."""
        return analysis.pinyin_key(self.title).lower()[:TITLE_KEY_LENGTH]

    @property
    def all_text(self):
        return " ".join([self.title, self.summary, self.terms, self.body])


# The vocabulary relations a document reads, by facet (a page type has those it has).
TERM_FACETS = (("issue", "issues"), ("actor", "actors"), ("method", "methods"), ("audience", "audience"))


def with_terms_as_lists(pages):
    """`pages` (a type's `indexed_queryset`) with its vocabulary relations prefetched as plain
    lists (`to_attr`), which `_names` reads.

    A prefetch into a relation's manager builds a filtered queryset for every page and relation
    just to hold the result: a quarter of the time a rebuild worker spent reading its pages. Only
    the builders of documents ask for this; other readers (cards) keep the prefetched managers.
    """
    relations = {attribute for _, attribute in TERM_FACETS}
    lookups = [
        Prefetch(lookup, to_attr=_prefetched(lookup)) if lookup in relations else lookup
        for lookup in pages._prefetch_related_lookups
    ]
    return pages.prefetch_related(None).prefetch_related(*lookups)


def _prefetched(relation):
    return f"indexed_{relation}"


def _names(page, attribute):
    """The names of a page's terms in one vocabulary relation (`issues`, …): from what
    `with_terms_as_lists` fetched, unless the relation was set in memory (modelcluster: a preview)."""
    terms = getattr(page, _prefetched(attribute), None)
    if terms is None or attribute in getattr(page, "_cluster_related_objects", {}):
        terms = getattr(page, attribute).all()
    return [term.name for term in terms]


# A tag as rich text stores them (`<p>`, `</a>`, `<a linktype="page" id="3">`, `<br/>`).
_TAG_RE = re.compile(r"</?[A-Za-z][^<>]*>")
# Elements whose content a parser reads as raw text (an unclosed <script> swallows the rest).
_RAW_TEXT_RE = re.compile(
    r"<(?:script|style|textarea|title|xmp|iframe|noembed|noframes|noscript|plaintext)", re.IGNORECASE
)


def plain_text(html):
    """Rich text's stored HTML as plain text, exactly as Django's `strip_tags` gives it.

    `strip_tags` runs an HTMLParser: 0.14 ms of a rebuild worker's 1.6 ms a page. Removing tags
    with a regex gives the same text whenever nothing is left that a parser reads otherwise (a
    `<` or `>` of a comment or an attribute, an `&` of an entity, a raw-text element such as
    `<script>`); otherwise `strip_tags` decides.
    """
    text = _TAG_RE.sub("", html)
    if "<" in text or ">" in text or "&" in text or _RAW_TEXT_RE.search(html):
        return strip_tags(html)
    return text


def _stream_text(stream):
    parts = []
    for block in stream or []:
        value = block.value
        if block.block_type == "section":
            heading = value.get("heading") or ""
            content = value.get("content")
            # The rich text's stored HTML: rendering it (str()) would expand links through templates.
            source = getattr(content, "source", None)
            parts.extend([heading, plain_text(source if source is not None else str(content or ""))])
        elif block.block_type == "image":
            parts.append(value.get("caption") or "")
    return "\n".join(part for part in parts if part)


@dataclass
class DocumentParts:
    """A search document while it is built: what every page has, then what its type adds."""

    facets: dict
    terms: list
    body: list
    date: str = ""  # set by the type's add_search_parts, from its `reader_date`
    date_label: str = ""


def publication_key(moment):
    """A publication time as text that sorts as time does on every backend: UTC, to the
    millisecond (what Elasticsearch keeps of a time), "" when unknown (sorts after any time)."""
    if moment is None:
        return ""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:23]


def build_document(page):
    """The SearchDocument of a specific knowledge page (CasePage, PolicyPage, …).

    The parts every page type shares are read here; the type adds its own in its page class
    (`add_search_parts`), so a field of one type is indexed from that type's app.
    """
    parts = DocumentParts(
        facets={"type": [page.type_key]}, terms=[], body=[_stream_text(getattr(page, "body", None))]
    )
    for facet, attribute in TERM_FACETS:
        if hasattr(page, attribute):
            parts.facets[facet] = _names(page, attribute)
    for facet, attribute in (("community_type", "community_type"), ("level", "level")):
        term = getattr(page, attribute, None)
        if term is not None:
            parts.facets[facet] = [term.name]
    region = getattr(page, "region", None)
    if region is not None:
        parts.facets["region"] = region.ancestors_and_self
        parts.terms.append(" ".join(region.path.split("/")))
    page.add_search_parts(parts)
    facets, terms = parts.facets, parts.terms
    for facet in ("issue", "actor", "method", "community_type", "level", "validity", "audience"):
        terms.extend(facets.get(facet, []))
    return SearchDocument(
        page_id=page.pk,
        type=page.type_key,
        title=page.title,
        url=page.url or "",
        summary=page.summary,
        # No fallback: a page its type gives no date has none (its import day is not its date).
        date=parts.date,
        date_label=parts.date_label if parts.date else "",
        published_at=publication_key(page.first_published_at or page.last_published_at),
        terms=" ".join(t for t in terms if t),
        body="\n".join(b for b in parts.body if b)[:MAX_BODY_CHARS],
        facets={k: v for k, v in facets.items() if v},
    )
