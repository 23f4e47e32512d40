"""Writing the site back out in the import format: a portable backup that `import_content` reads.

`export_content DIR` writes one Markdown file per page (DIR/<index slug>/<slug>.md) and the
vocabularies (DIR/vocabularies.yaml), so that `import_content DIR --publish` into an empty site
recreates the same pages, links, vocabularies and relations, and exporting that site again gives
the same bytes. The keys every page has are written here; each type's own keys by its import
rules (`TypeRules.export`), so this module knows no page type, as the importer does not.

A live page is exported as the public sees it; a page that is not live as its latest draft, with
`status: draft`. Pages are read a batch at a time, so memory does not grow with the site.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from markdownify import MarkdownConverter
from wagtail.models import Page, Revision

from kb.core.page_types import page_types, vocabulary_models
from kb.vocabularies.models import Region

from .reading import VOCABULARY_FILE
from .rules import rules_for
from .validating import SINGLE_TERM_KEYS, TERM_LIST_KEYS

BATCH_SIZE = 500
_INTERNAL_LINK_RE = re.compile(r'<a\b[^>]*\blinktype="(page|document)"[^>]*>')
_ID_RE = re.compile(r'\bid="(\d+)"')


@dataclass
class ExportResult:
    counts: dict = field(default_factory=dict)  # type key → files written
    drafts: int = 0  # pages written as drafts (not live)
    newer_drafts: list = field(default_factory=list)  # live pages whose newer draft is not exported
    losses: list = field(default_factory=list)  # (file, [what the import format cannot carry])


class _Converter(MarkdownConverter):
    """Rich text → Markdown that the importer turns back into the same rich text.

    Superscript and subscript have no Markdown form: they stay as the inline HTML the importer keeps.
    """

    def convert_sup(self, el, text, parent_tags):
        return f"<sup>{text}</sup>" if text else ""

    def convert_sub(self, el, text, parent_tags):
        return f"<sub>{text}</sub>" if text else ""


_converter = _Converter(heading_style="ATX", bullets="-", strong_em_symbol="*", newline_style="BACKSLASH")


def html_to_markdown(html):
    return re.sub(r"\n{3,}", "\n\n", _converter.convert(html or "")).strip()


def dump_front_matter(meta):
    text = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=False, width=10_000)
    return f"---\n{text}---\n"


class PageExporter:
    """Builds the file of each page; link targets are looked up once per batch."""

    def __init__(self):
        self.urls = {}  # page id → URL path, for the rich text's internal links

    def source(self, page):
        source = {}
        for key in ("title", "author", "url", "date", "note"):
            value = getattr(page, f"source_{key}", "")
            if value:
                source[key] = value
        return source

    def front_matter(self, page, type_key, live):
        rules = rules_for(type_key)
        meta = {"type": type_key, "title": page.title, "slug": page.slug}
        if not live:
            meta["status"] = "draft"
        if page.summary:
            meta["summary"] = page.summary
        source = self.source(page)
        if source:
            meta["source"] = source
        for key in TERM_LIST_KEYS:
            if key in rules.keys:
                names = sorted(term.name for term in getattr(page, key).all())
                if names:
                    meta[key] = names
        for key in SINGLE_TERM_KEYS:
            if key in rules.keys:
                term = getattr(page, key)
                if term is not None:
                    meta[key] = term.name
        if "region" in rules.keys and page.region is not None:
            meta["region"] = page.region.path
        meta.update(rules.export(self, page))
        for key, (_, model_field) in rules.references.items():
            slugs = self.slugs(getattr(page, model_field).all())
            if slugs:
                meta[key] = slugs
        return meta

    @staticmethod
    def slugs(pages):
        return sorted(page.slug for page in pages)

    def body(self, page, type_key):
        rules = rules_for(type_key)
        parts = []
        for block in getattr(page, "body", None) or []:
            if block.block_type != "section":
                continue  # images: counted by the caller, not carried by the import format
            heading, html = rules.export_section(block.value)
            text = html_to_markdown(self.resolve_links(str(html)))
            if not text:
                continue  # an empty section (a new case's standard sections) is not shown either
            parts.append(f"## {heading}\n\n{text}" if heading else text)
        return "\n\n".join(part.strip() for part in parts if part.strip())

    def resolve_links(self, html):
        """Internal page and document links become the URLs they stand for."""

        def replace(match):
            tag = match.group(0)
            found = _ID_RE.search(tag)
            url = self.urls.get((match.group(1), int(found.group(1)))) if found else None
            return f'<a href="{url}">' if url else "<a>"

        return _INTERNAL_LINK_RE.sub(replace, html)

    def learn_links(self, pages):
        """Fetch at once the targets of every internal link in a batch of pages."""
        wanted = {"page": set(), "document": set()}
        for page in pages:
            for block in getattr(page, "body", None) or []:
                if block.block_type == "section":
                    for match in _INTERNAL_LINK_RE.finditer(str(block.value.get("content", ""))):
                        found = _ID_RE.search(match.group(0))
                        if found and (match.group(1), int(found.group(1))) not in self.urls:
                            wanted[match.group(1)].add(int(found.group(1)))
        if wanted["page"]:
            for target in Page.objects.filter(pk__in=wanted["page"]):
                self.urls[("page", target.pk)] = target.url
        if wanted["document"]:
            from wagtail.documents import get_document_model

            for document in get_document_model().objects.filter(pk__in=wanted["document"]):
                self.urls[("document", document.pk)] = document.url

    def file_text(self, page, type_key, live):
        meta = self.front_matter(page, type_key, live)
        body = self.body(page, type_key)
        return dump_front_matter(meta) + (f"\n{body}\n" if body else "")


def batches(queryset, size=BATCH_SIZE):
    """The queryset's rows a batch at a time, in primary-key order, each batch its own queries."""
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def export_pages(directory, *, progress=None):
    """Write every knowledge page and the vocabularies under `directory`; an ExportResult."""
    directory = Path(directory)
    result = ExportResult()
    exporter = PageExporter()
    for page_type in page_types():
        folder = directory / page_type.index_slug
        folder.mkdir(parents=True, exist_ok=True)
        written = 0
        rules = rules_for(page_type.key)
        queryset = rules.export_queryset(page_type.model.objects.all())
        for batch in batches(queryset):
            drafts = {
                revision.object_id: revision.as_object()
                for revision in Revision.objects.filter(
                    pk__in=[
                        page.latest_revision_id for page in batch if not page.live and page.latest_revision_id
                    ]
                )
            }
            pages = []
            for page in batch:
                live = page.live
                shown = page if live else drafts.get(str(page.pk), page)
                if live and page.has_unpublished_changes:
                    result.newer_drafts.append(page.slug)
                losses = rules.export_losses(shown)
                images = sum(
                    1 for block in getattr(shown, "body", None) or [] if block.block_type != "section"
                )
                if images:
                    losses.insert(0, f"正文中的 {images} 张图片")
                if losses:
                    result.losses.append((f"{page_type.index_slug}/{page.slug}.md", losses))
                pages.append((shown, live))
            exporter.learn_links([shown for shown, _ in pages])
            for shown, live in pages:
                path = folder / f"{shown.slug}.md"
                path.write_text(exporter.file_text(shown, page_type.key, live), encoding="utf-8")
                written += 1
                result.drafts += 0 if live else 1
            if progress is not None:
                progress(page_type.key, written)
        result.counts[page_type.key] = written
    (directory / VOCABULARY_FILE).write_text(vocabulary_text(), encoding="utf-8")
    return result


def vocabulary_text():
    """Every vocabulary's terms and every region, used or not, as the importer reads them."""
    data = {}
    for key, model in vocabulary_models().items():
        if model is Region:
            continue
        terms = [
            {"name": name, "description": description, "sort_order": order} if description or order else name
            for name, description, order in model.objects.order_by("sort_order", "name").values_list(
                "name", "description", "sort_order"
            )
        ]
        for term in terms:
            if isinstance(term, dict):
                for empty in [k for k in ("description", "sort_order") if not term[k]]:
                    del term[empty]
        if terms:
            data[key] = terms
    regions = sorted(Region.objects.values_list("path", flat=True))
    if regions:
        data["region"] = regions
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=True, default_flow_style=False, width=10_000)
