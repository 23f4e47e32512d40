"""Markdown from import files becomes Wagtail rich text through one sanitiser.

No script, style, event handler or javascript: URL from a file can reach a page: the HTML that
Markdown produces (including any raw HTML in the file) is reduced to the tags the rich text
editor itself supports.
"""

import re

import markdown as markdown_lib
import nh3

ALLOWED_TAGS = {
    "p", "br", "h3", "h4", "ul", "ol", "li", "strong", "em", "b", "i", "a",
    "blockquote", "hr", "sup", "sub", "code",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# Level-1 and level-2 headings split a body into sections; deeper ones stay inside a section.
_DEEP_HEADING_RE = re.compile(r"<(/?)h[56]>")
_SECTION_HEADING_RE = re.compile(r"^ {0,3}(#{1,2})(?!#)[ \t]+(.+?)[ \t#]*$")
_FENCE_RE = re.compile(r"^ {0,3}(```|~~~)")


def sanitise_html(html):
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )


def markdown_to_html(text):
    html = markdown_lib.markdown(text or "", extensions=["sane_lists"], output_format="html")
    html = _DEEP_HEADING_RE.sub(lambda m: f"<{m.group(1)}h4>", html)
    return sanitise_html(html).strip()


def split_sections(text):
    """Split a Markdown body at its level-1/2 headings: [(heading or "", markdown), ...].

    Text before the first heading comes back with an empty heading; headings inside fenced code
    blocks do not split.
    """
    sections = []
    heading, lines, in_fence = "", [], False
    for line in (text or "").splitlines():
        if _FENCE_RE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _SECTION_HEADING_RE.match(line)
        if match:
            if heading or "".join(lines).strip():
                sections.append((heading, "\n".join(lines).strip()))
            heading, lines = match.group(2).strip(), []
        else:
            lines.append(line)
    if heading or "".join(lines).strip():
        sections.append((heading, "\n".join(lines).strip()))
    return sections
