"""A knowledge page as a citation: RIS, BibTeX, CSL-JSON, GB/T 7714 text and meta tags.

One `Citation` is built from a page and every format is written from it, so a reference manager
importing RIS, a Zotero capture from the meta tags and the text a reader copies agree.
A policy is cited as the document it is (issuing bodies, document number, issue date); a case,
principle or course as a page of this knowledge base, with the source it was written from.
"""

import datetime
import json
import re
from dataclasses import dataclass, field

from django.utils import timezone

from kb.core.fields import PARTIAL_DATE_RE

SITE_NAME = "社区营造知识库"
FORMATS = {
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
    "bibtex": ("application/x-bibtex; charset=utf-8", "bib"),
    "csl-json": ("application/vnd.citationstyles.csl+json; charset=utf-8", "json"),
}


@dataclass
class Citation:
    key: str  # a stable identifier (BibTeX key, CSL id)
    kind: str  # "policy" (an official document) or "page" (a page of this knowledge base)
    title: str
    authors: list  # names of people or bodies, in order
    date: str  # ISO, possibly partial (2016, 2016-05, 2016-05-04)
    url: str
    accessed: datetime.date
    number: str = ""  # 发文字号
    summary: str = ""
    keywords: list = field(default_factory=list)
    note: str = ""  # where the page's content comes from

    @property
    def date_parts(self):
        match = PARTIAL_DATE_RE.match(self.date or "")
        return [int(part) for part in match.groups() if part] if match else []


def _names(manager):
    return [term.name for term in manager.all()]


def source_note(page):
    """The page's source as a reader would cite it: 据 author《title》（date）整理；note."""
    cited = page.source_author + (f"《{page.source_title}》" if page.source_title else "")
    if page.source_date:
        cited += f"（{page.source_date_display}）"
    text = f"据{cited}整理" if cited else ""
    if page.source_note:
        text = "；".join(t for t in (text, page.source_note) if t)
    return text


def citation_for(page, url, accessed=None):
    """The Citation of a specific knowledge page at its absolute `url`."""
    accessed = accessed or timezone.localdate()
    keywords = _names(page.issues) if hasattr(page, "issues") else []
    common = {
        "key": f"kb-{page.pk}",
        "title": page.title,
        "url": url,
        "accessed": accessed,
        "summary": page.summary,
        "keywords": keywords,
    }
    if page.type_key == "policy":
        return Citation(
            kind="policy",
            authors=page.issuer_names,
            date=page.issued_on or page.effective_on,
            number=page.doc_number,
            note=source_note(page),
            **common,
        )
    published = page.last_published_at or page.first_published_at
    return Citation(
        kind="page",
        authors=[SITE_NAME],
        date=published.date().isoformat() if published else "",
        note=source_note(page),
        **common,
    )


def _slash_date(parts):
    return "/".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts))


def to_ris(citation):
    lines = [("TY", "GOVDOC" if citation.kind == "policy" else "ELEC"), ("TI", citation.title)]
    lines += [("AU", name) for name in citation.authors]
    parts = citation.date_parts
    if parts:
        lines += [("PY", str(parts[0])), ("DA", _slash_date(parts))]
    if citation.number:
        lines.append(("M1", citation.number))
    lines += [("PB", SITE_NAME) if citation.kind == "page" else ("T2", SITE_NAME)]
    lines += [("UR", citation.url), ("Y2", citation.accessed.strftime("%Y/%m/%d")), ("LA", "zh-CN")]
    if citation.summary:
        lines.append(("AB", citation.summary))
    lines += [("KW", word) for word in citation.keywords]
    if citation.note:
        lines.append(("N1", citation.note))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {_one_line(value)}\r\n" for tag, value in lines)


def _one_line(text):
    return " ".join(str(text).split())


_BIBTEX_SPECIAL = re.compile(r"([\\{}%&$#_^~])")


def _bibtex_text(text):
    def escape(match):
        char = match.group(1)
        return {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}.get(char, "\\" + char)

    return _BIBTEX_SPECIAL.sub(escape, _one_line(text))


def to_bibtex(citation):
    fields = [("title", "{" + _bibtex_text(citation.title) + "}")]
    if citation.authors:
        # Double braces: a body's name is one name, not "given family".
        fields.append(("author", " and ".join("{" + _bibtex_text(name) + "}" for name in citation.authors)))
    parts = citation.date_parts
    if parts:
        fields.append(("year", str(parts[0])))
        if len(parts) > 1:
            fields.append(("month", str(parts[1])))
        fields.append(("date", citation.date))
    if citation.number:
        fields.append(("number", _bibtex_text(citation.number)))
    fields += [
        ("organization" if citation.kind == "page" else "publisher", SITE_NAME),
        ("url", citation.url),
        ("urldate", citation.accessed.isoformat()),
        ("langid", "chinese"),
    ]
    if citation.keywords:
        fields.append(("keywords", _bibtex_text(", ".join(citation.keywords))))
    if citation.note:
        fields.append(("note", _bibtex_text(citation.note)))
    entry_type = "misc" if citation.kind == "policy" else "online"
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{entry_type}{{{citation.key},\n{body}\n}}\n"


def to_csl(citation):
    item = {
        "id": citation.key,
        "type": "legislation" if citation.kind == "policy" else "webpage",
        "title": citation.title,
        "author": [{"literal": name} for name in citation.authors],
        "URL": citation.url,
        "accessed": {
            "date-parts": [[citation.accessed.year, citation.accessed.month, citation.accessed.day]]
        },
        "language": "zh-CN",
    }
    item["container-title" if citation.kind == "page" else "publisher"] = SITE_NAME
    if citation.date_parts:
        item["issued"] = {"date-parts": [citation.date_parts]}
    if citation.number:
        item["number"] = citation.number
    if citation.summary:
        item["abstract"] = citation.summary
    if citation.keywords:
        item["keyword"] = ", ".join(citation.keywords)
    if citation.note:
        item["note"] = citation.note
    return item


def to_csl_json(citations):
    return json.dumps([to_csl(c) for c in citations], ensure_ascii=False, indent=2) + "\n"


def to_gbt7714(citation):
    """GB/T 7714-2015 text for an online resource: 责任者. 题名[EB/OL]. (发布日期)[引用日期]. URL."""
    authors = ", ".join(citation.authors) or SITE_NAME
    title = citation.title + (f"：{citation.number}" if citation.number else "")
    parts = citation.date_parts
    published = "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts))
    dates = (f"({published})" if published else "") + f"[{citation.accessed.isoformat()}]"
    return f"{authors}. {title}[EB/OL]. {dates}. {citation.url}."


def meta_tags(citation):
    """(name, content) of the Highwire Press and Dublin Core tags reference managers read."""
    parts = citation.date_parts
    slash_date = _slash_date(parts) if parts else ""
    tags = [("citation_title", citation.title)]
    tags += [("citation_author", name) for name in citation.authors]
    if slash_date:
        tags.append(("citation_publication_date", slash_date))
    if citation.number:
        tags.append(("citation_technical_report_number", citation.number))
    tags += [
        ("citation_publisher", SITE_NAME),
        ("citation_public_url", citation.url),
        ("citation_language", "zh"),
    ]
    if citation.keywords:
        tags.append(("citation_keywords", "; ".join(citation.keywords)))
    tags += [("DC.title", citation.title)]
    tags += [("DC.creator", name) for name in citation.authors]
    if citation.date:
        tags.append(("DC.date", citation.date))
    tags += [
        ("DC.publisher", SITE_NAME),
        ("DC.type", "Text"),
        ("DC.identifier", citation.url),
        ("DC.language", "zh-CN"),
    ]
    if citation.summary:
        tags.append(("DC.description", citation.summary))
    tags += [("DC.subject", word) for word in citation.keywords]
    return tags
