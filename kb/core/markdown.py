"""Markdown from import files becomes Wagtail rich text through one sanitiser.

No script, style, event handler or javascript: URL from a file can reach a page: the HTML that
Markdown produces (including any raw HTML in the file) is reduced to the tags the rich text
editor itself supports.
"""

import re
import threading
import unicodedata

import markdown as markdown_lib
import nh3
from django.conf import settings
from django.template.defaultfilters import filesizeformat

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


_local = threading.local()


def _renderer():
    """One Markdown instance per thread, reset for each text: what markdown.markdown() does, without
    building the instance and its extensions again for every section of every file."""
    if not hasattr(_local, "renderer"):
        _local.renderer = markdown_lib.Markdown(extensions=["sane_lists"], output_format="html")
    return _local.renderer


def markdown_to_html(text):
    """Sanitised HTML of a Markdown text; MarkdownRefused when it is beyond the limits below."""
    check_markdown(text or "")
    html = _renderer().reset().convert(text or "")
    html = _DEEP_HEADING_RE.sub(lambda m: f"<{m.group(1)}h4>", html)
    return join_cjk_lines(sanitise_html(html).strip())


# --------------------------------------------------------------------------- limits
# Python-Markdown recurses once per level of nested lists and quotes (RecursionError at ~1,000,
# gigabytes before that) and is quadratic in the brackets, angle brackets, backticks and
# backslashes of one block: 4,000 "[" in one paragraph take 7 s. So a body is checked before it
# is rendered, in one linear pass: its size, its nesting (containers on a line, open HTML tags)
# and its count of those characters, per block and in all. docs/import-limits.md has the figures.

DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024
MAX_NESTING = 20  # lists, quotes and HTML elements inside each other
MAX_INDENT_COLUMNS = 4 * MAX_NESTING
MAX_MARKUP_PER_BLOCK = 500  # "[", "<", "`", "\\" in one block (lines without a blank between)
MAX_MARKUP_TOTAL = 10_000
_CONTAINER_RE = re.compile(r" {0,3}(?:>|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))[ \t]?")
_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]{0,30})\b[^<>]*?(/?)>")
_MARKUP_RE = re.compile(r"[\[<`\\]")
VOID_TAGS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
}  # fmt: skip


class MarkdownRefused(ValueError):
    """A Markdown text beyond the limits; the message (Chinese) says which and where."""


def max_body_bytes():
    """The largest Markdown body accepted (KB_IMPORT_MAX_BODY_BYTES), for every form that takes one."""
    return getattr(settings, "KB_IMPORT_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)


def check_body_size(text):
    size = len(text.encode("utf-8"))
    if size > max_body_bytes():
        raise MarkdownRefused(f"正文有 {filesizeformat(size)}，超过上限 {filesizeformat(max_body_bytes())}。")


def check_markdown(text):
    """Refuse (MarkdownRefused) a body too large, too deeply nested or too heavy in markup.

    Linear in the text and independent of the renderer, so it is safe to run on anything.
    """
    check_body_size(text)
    in_fence, block_markup, block_start, total_markup, open_tags = False, 0, 1, 0, 0
    for number, line in enumerate(text.splitlines(), start=1):
        if _FENCE_RE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if not line.strip():
            block_markup, block_start = 0, number + 1
            continue
        rest, depth = line.expandtabs(4), 0
        indent = len(rest) - len(rest.lstrip(" "))
        if indent > MAX_INDENT_COLUMNS:
            raise MarkdownRefused(
                f"第 {number} 行缩进 {indent} 格，超过上限 {MAX_INDENT_COLUMNS} 格（嵌套过深）。"
            )
        depth, rest = indent // 4, rest[indent - indent % 4 :]
        while depth <= MAX_NESTING and (match := _CONTAINER_RE.match(rest)) and match.end():
            depth, rest = depth + 1, rest[match.end() :]
        if depth > MAX_NESTING:
            raise MarkdownRefused(f"第 {number} 行的列表或引用嵌套超过 {MAX_NESTING} 层。")
        for tag in _TAG_RE.finditer(line):
            closing, name, self_closing = tag.groups()
            if name.lower() in VOID_TAGS or self_closing:
                continue
            open_tags = max(open_tags - 1, 0) if closing else open_tags + 1
            if open_tags > MAX_NESTING:
                raise MarkdownRefused(f"第 {number} 行的 HTML 标签嵌套超过 {MAX_NESTING} 层。")
        markup = len(_MARKUP_RE.findall(line))
        block_markup += markup
        total_markup += markup
        if block_markup > MAX_MARKUP_PER_BLOCK:
            raise MarkdownRefused(
                f"第 {block_start} 行起的一段中方括号、尖括号、反引号和反斜杠超过 {MAX_MARKUP_PER_BLOCK} 个，"
                "请分段或删减。"
            )
        if total_markup > MAX_MARKUP_TOTAL:
            raise MarkdownRefused(f"正文中方括号、尖括号、反引号和反斜杠超过 {MAX_MARKUP_TOTAL} 个。")


# --------------------------------------------------------------------------- Chinese line breaks
# A line break inside a paragraph is a space to a browser; between two Chinese characters it is a
# stray one. As CommonMark's CJK-friendly renderers do, a soft break between two wide characters
# (Chinese, Japanese, full-width punctuation; not Korean, which uses spaces) is removed.

_HTML_TOKEN_RE = re.compile(r"(<[^>]*>)")
_BREAK_RE = re.compile(r"[ \t]*\n[ \t]*")
INLINE_TAGS = {"a", "strong", "em", "b", "i", "sup", "sub"}


def is_wide(char):
    if not char or "\uac00" <= char <= "\ud7af" or "\u1100" <= char <= "\u11ff":
        return False
    return unicodedata.east_asian_width(char) in ("W", "F")


def join_cjk_lines(html):
    tokens = _HTML_TOKEN_RE.split(html)
    # The nearest visible character before and after each token, across inline tags only.
    before, last, in_code = [""] * len(tokens), "", 0
    for index, token in enumerate(tokens):
        before[index] = last
        if token.startswith("<"):
            name = token.strip("</>").split()[0].lower() if token.strip("</>") else ""
            if name not in INLINE_TAGS:
                last = ""
        elif token:
            last = token[-1]
    after, following = [""] * len(tokens), ""
    for index in range(len(tokens) - 1, -1, -1):
        token = tokens[index]
        after[index] = following
        if token.startswith("<"):
            name = token.strip("</>").split()[0].lower() if token.strip("</>") else ""
            if name not in INLINE_TAGS:
                following = ""
        elif token:
            following = token[0]
    for index, token in enumerate(tokens):
        if token.startswith("<"):
            if re.match(r"<code\b", token):
                in_code += 1
            elif token.startswith("</code"):
                in_code = max(in_code - 1, 0)
            continue
        if in_code or "\n" not in token:
            continue

        def join(match, token=token, index=index):
            start, end = match.start(), match.end()
            prev = token[start - 1] if start else before[index]
            nxt = token[end] if end < len(token) else after[index]
            return "" if is_wide(prev) and is_wide(nxt) else match.group(0)

        tokens[index] = _BREAK_RE.sub(join, token)
    return "".join(tokens)


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
