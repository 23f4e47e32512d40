"""What the search index holds for a page: one builder, used by every backend."""

from dataclasses import dataclass, field

from django.utils.html import strip_tags

from . import analysis
from .schema import MAX_BODY_CHARS


@dataclass
class SearchDocument:
    page_id: int
    type: str
    title: str
    url: str
    summary: str
    date: str  # ISO, possibly partial: the date shown and used by "newest"
    terms: str  # vocabulary terms and other labels, searchable as text
    body: str  # plain text
    facets: dict = field(default_factory=dict)  # facet → [values]

    @property
    def tokens(self):
        """Analysed text by field, as every backend indexes it."""
        return {
            "title": analysis.index_text(self.title),
            "summary": analysis.index_text(self.summary),
            "terms": analysis.index_text(self.terms),
            "body": analysis.index_text(self.body),
            "chars": analysis.index_chars(" ".join([self.title, self.summary, self.terms, self.body])),
        }


def _names(manager):
    return [term.name for term in manager.all()]


def _stream_text(stream):
    parts = []
    for block in stream or []:
        value = block.value
        if block.block_type == "section":
            heading = value.get("heading") or ""
            content = value.get("content")
            parts.extend([heading, strip_tags(getattr(content, "source", str(content or "")))])
        elif block.block_type == "image":
            parts.append(value.get("caption") or "")
    return "\n".join(part for part in parts if part)


def build_document(page):
    """The SearchDocument of a specific knowledge page (CasePage, PolicyPage, …)."""
    facets = {"type": [page.type_key]}
    terms, body = [], [_stream_text(getattr(page, "body", None))]
    for facet, attribute in (
        ("issue", "issues"),
        ("actor", "actors"),
        ("method", "methods"),
        ("audience", "audience"),
    ):
        if hasattr(page, attribute):
            facets[facet] = _names(getattr(page, attribute))
    for facet, attribute in (("community_type", "community_type"), ("level", "level")):
        term = getattr(page, attribute, None)
        if term is not None:
            facets[facet] = [term.name]
    if page.type_key == "policy" and (validity := page.validity_on()):
        # As of today (尚未生效 before the effective date); update_policy_validity keeps it current.
        facets["validity"] = [validity]
    region = getattr(page, "region", None)
    if region is not None:
        facets["region"] = region.ancestors_and_self
        terms.append(" ".join(region.path.split("/")))
    date = ""
    if page.type_key == "case":
        body.insert(0, page.scale)
        if page.year_start:
            facets["year"] = [str(page.year_start)]
            date = str(page.year_end or page.year_start)
    elif page.type_key == "policy":
        terms.extend(page.issuer_names + [page.doc_number])
        if page.issued_on:
            facets["year"] = [page.issued_on[:4]]
            date = page.issued_on
    elif page.type_key == "principle":
        terms.append(page.group)
    elif page.type_key == "course":
        for module in page.modules.all():
            # Instructor notes are for facilitators only: never indexed.
            body.extend(
                [module.title, module.questions, module.objectives, module.key_points, module.activity]
            )
            if module.method:
                facets.setdefault("method", [])
                if module.method.name not in facets["method"]:
                    facets["method"].append(module.method.name)
        body.append(page.objectives)
    for facet in ("issue", "actor", "method", "community_type", "level", "validity", "audience"):
        terms.extend(facets.get(facet, []))
    if not date and page.last_published_at:
        date = page.last_published_at.date().isoformat()
    return SearchDocument(
        page_id=page.pk,
        type=page.type_key,
        title=page.title,
        url=page.url or "",
        summary=page.summary,
        date=date,
        terms=" ".join(t for t in terms if t),
        body="\n".join(b for b in body if b)[:MAX_BODY_CHARS],
        facets={k: v for k, v in facets.items() if v},
    )
