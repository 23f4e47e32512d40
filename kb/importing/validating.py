"""Validating import files: each file's front matter and body, before anything is written.

The keys every page has are checked here; each type's own keys by its rules (`kb.importing.rules`,
found through the page-type registry), so this module knows no page type.
"""

import datetime
import difflib
import logging
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_unicode_slug
from django.utils.text import slugify

from kb.core.fields import PARTIAL_DATE_RE
from kb.core.markdown import MarkdownRefused, check_markdown, markdown_to_html, split_sections
from kb.core.page_types import type_labels, vocabulary_label, vocabulary_models
from kb.vocabularies.models import split_region_path

from .problems import INTERNAL_ERROR, ImportFailed, Problem, shown, suggestion, type_name
from .reading import parse_front_matter
from .resolving import check_plans
from .rules import rules_for

MAX_SUMMARY_LENGTH = 300
MAX_TITLE_LENGTH = 255
COMMON_KEYS = {"type", "title", "slug", "summary", "source", "status"}
# `status: draft` keeps a page a draft in a run with --publish (export_content writes it for
# pages that are not live); `published`, or no status, follows the run.
STATUSES = ("published", "draft")
SOURCE_KEYS = {"title", "author", "url", "date", "note"}
# Front-matter key → vocabulary, for lists of terms and for single terms; a type accepts the
# keys its rules list (a key names the page's model field).
TERM_LIST_KEYS = {"issues": "issue", "actors": "actor", "methods": "method", "audience": "audience"}
SINGLE_TERM_KEYS = {"community_type": "community_type", "level": "level", "validity": "validity"}
_ASCII_SLUG_RE = re.compile(r"[^a-z0-9-]+")
logger = logging.getLogger(__name__)


@dataclass
class PagePlan:
    """What one file will create or update, resolved and validated."""

    file: str
    type_key: str
    title: str
    slug: str
    fields: dict = field(default_factory=dict)
    term_lists: dict = field(default_factory=dict)  # model field → [term names]
    single_terms: dict = field(default_factory=dict)  # model field → term name
    region_path: str = ""
    references: dict = field(default_factory=dict)  # model field → [(type, reference)]
    extra: dict = field(default_factory=dict)  # what the type's rules keep for writing (issuers, modules)
    body: list = field(default_factory=list)  # StreamField data
    existing: object = None
    draft: bool = False  # the file says `status: draft`
    deferred_body: str = None  # the Markdown, while its rendering waits (see validate_files)

    @property
    def action(self):
        return "update" if self.existing is not None else "create"


class FileValidator:
    """Validates the front matter of one file, collecting every problem instead of stopping at one."""

    def __init__(self, source, meta, body, known_terms, create_terms, render_body=True):
        self.source = source
        self.render_body = render_body
        self.meta = meta
        self.body = body
        self.known_terms = known_terms
        self.create_terms = create_terms
        self.problems = []
        self.new_terms = set()

    def problem(self, key, message):
        self.problems.append(Problem(self.source.name, key, message))

    def text(self, key, max_length=None, required=False):
        value = self.meta.get(key)
        if value is None or value == "":
            if required:
                self.problem(key, "必填。")
            return ""
        if not isinstance(value, str):
            self.problem(key, self.not_text(value))
            return ""
        value = value.strip()
        if max_length and len(value) > max_length:
            self.problem(key, f"过长：{len(value)} 个字符，最多 {max_length} 个。")
        return value

    @staticmethod
    def not_text(value):
        """The message for a value that should have been text (a number may be meant as text: quote it)."""
        if isinstance(value, (list, dict)):
            return f"应为文本，而不是{type_name(value)}。"
        return f"应为文本，而不是{type_name(value)}“{shown(value)}”；如确是文本，请加引号。"

    def string_list(self, key, value=None, where=None):
        value = self.meta.get(key) if value is None else value
        where = where or key
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.problem(where, f"应为文本列表，如 [甲, 乙]，而不是{type_name(value)}。")
            return []
        wrong = [v for v in value if not isinstance(v, (str, int)) or isinstance(v, bool)]
        if wrong:
            self.problem(
                where, f"应为文本列表，如 [甲, 乙]；其中有{type_name(wrong[0])}“{shown(wrong[0])}”。"
            )
            return []
        return [str(v).strip() for v in value if str(v).strip()]

    def integer(self, key, minimum=None, maximum=None, value=None, where=None):
        value = self.meta.get(key) if value is None else value
        where = where or key
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 10:
                value = int(value.strip())
            else:
                self.problem(where, f"应为整数，而不是{type_name(value)}“{shown(value)}”。")
                return None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            self.problem(where, f"应在 {minimum} 到 {maximum} 之间，而不是 {value}。")
            return None
        return value

    def partial_date(self, key, value=None, where=None):
        value = self.meta.get(key) if value is None else value
        where = where or key
        if value is None or value == "":
            return ""
        if isinstance(value, datetime.date):
            return value.isoformat()[:10]
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            self.problem(where, f"应为日期（YYYY、YYYY-MM 或 YYYY-MM-DD），而不是{type_name(value)}。")
            return ""
        value = str(value).strip()
        if not PARTIAL_DATE_RE.match(value):
            self.problem(where, f"日期“{shown(value)}”格式不对，应为 YYYY、YYYY-MM 或 YYYY-MM-DD。")
            return ""
        try:
            parts = [int(p) for p in value.split("-")] + [1, 1]
            datetime.date(parts[0], parts[1], parts[2])
        except ValueError:
            self.problem(where, f"日期“{value}”不存在。")
            return ""
        return value

    def term(self, vocabulary, name, where):
        known = self.known_terms[vocabulary]
        if name in known:
            return name
        if self.create_terms:
            self.new_terms.add((vocabulary, name))
            return name
        self.problem(
            where,
            f"未知的{vocabulary_label(vocabulary)}“{name}”。{suggestion(name, known)}"
            "（如确需新增，请加 --create-terms。）",
        )
        return None

    def validate(self):
        """A PagePlan for this file, or None when it has problems (see self.problems)."""
        type_key = self.meta.get("type")
        if type_key is not None and not isinstance(type_key, str):
            self.problem("type", f"应为一个类型（{', '.join(type_labels())}），而不是{type_name(type_key)}。")
            return None
        if type_key is None:
            self.problem("type", f"必填，可选值：{', '.join(type_labels())}。")
            return None
        if type_key not in type_labels():
            self.problem("type", f"未知的类型“{shown(type_key)}”，可选值：{', '.join(type_labels())}。")
            return None
        rules = rules_for(type_key)
        allowed = COMMON_KEYS | rules.keys | set(rules.references)
        for key in self.meta:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                hint = (
                    f"是否是“{close[0]}”？"
                    if close
                    else f"{type_labels()[type_key]}可用的键：{', '.join(sorted(allowed))}。"
                )
                self.problem(str(key), f"不认识的键。{hint}")

        title = self.text("title", MAX_TITLE_LENGTH, required=True)
        plan = PagePlan(file=self.source.name, type_key=type_key, title=title, slug=self.slug(title))
        plan.fields["summary"] = self.text("summary", MAX_SUMMARY_LENGTH)
        status = self.text("status")
        if status and status not in STATUSES:
            self.problem("status", f"应为 {' 或 '.join(STATUSES)}，而不是“{shown(status)}”。")
        plan.draft = status == "draft"
        self.validate_source(plan)
        for key, vocabulary in TERM_LIST_KEYS.items():
            if key in allowed:
                names = self.string_list(key)
                plan.term_lists[key] = [n for n in (self.term(vocabulary, name, key) for name in names) if n]
        for key, vocabulary in SINGLE_TERM_KEYS.items():
            if key in allowed and self.meta.get(key) not in (None, ""):
                name = self.text(key)
                if name and self.term(vocabulary, name, key):
                    plan.single_terms[key] = name
        if "region" in allowed and self.meta.get("region") not in (None, ""):
            try:
                plan.region_path = "/".join(split_region_path(self.text("region")))
            except ValidationError as error:
                self.problem("region", " ".join(error.messages))
        for key, (target_type, model_field) in rules.references.items():
            references = self.string_list(key)
            if references:
                plan.references[model_field] = [(target_type, ref, key) for ref in references]
        rules.validate(self, plan)
        if self.render_body:
            plan.body = self.body_blocks(rules)
        else:
            self.check_body()
            plan.deferred_body = self.body
        return None if self.problems else plan

    def slug(self, title):
        slug = self.meta.get("slug")
        if slug in (None, ""):
            slug = slugify(title, allow_unicode=True)[:255]
            if not slug:
                self.problem("slug", "无法从标题生成 slug，请填写 slug。")
            return slug
        if not isinstance(slug, str):
            self.problem("slug", self.not_text(slug))
            return ""
        slug = slug.strip()
        try:
            validate_unicode_slug(slug)
        except ValidationError:
            fixed = _ASCII_SLUG_RE.sub("-", slug.lower()).strip("-")
            self.problem(
                "slug", f"“{shown(slug)}”不是合法的 slug：只能用字母、数字、连字符和下划线，如“{fixed}”。"
            )
        return slug

    def validate_source(self, plan):
        source = self.meta.get("source")
        if source in (None, ""):
            return
        if not isinstance(source, dict):
            self.problem("source", "应为映射：title、author、url、date、note。")
            return
        for key in source:
            if key not in SOURCE_KEYS:
                self.problem(f"source.{key}", f"不认识的键，可用：{', '.join(sorted(SOURCE_KEYS))}。")
        for key in ("title", "author", "note"):
            value = source.get(key)
            if value not in (None, ""):
                if not isinstance(value, str):
                    self.problem(f"source.{key}", self.not_text(value))
                    continue
                plan.fields[f"source_{key}"] = value.strip()[:255]
        url = source.get("url")
        if url not in (None, "") and not isinstance(url, str):
            self.problem("source.url", self.not_text(url))
        elif url not in (None, ""):
            try:
                URLValidator(schemes=["http", "https"])(url)
                plan.fields["source_url"] = url
            except ValidationError:
                self.problem("source.url", f"“{shown(url)}”不是有效的 http(s) 链接。")
        plan.fields["source_date"] = self.partial_date("date", source.get("date"), "source.date")

    def check_body(self):
        """The body's size and nesting, before anything is rendered: False when refused."""
        try:
            check_markdown(self.body)
        except MarkdownRefused as refusal:
            self.problem("正文", str(refusal))
            return False
        return True

    def body_blocks(self, rules):
        """The body as StreamField data: one section per level-1/2 heading, in the type's block shape."""
        if not self.check_body():
            return []
        blocks = []
        for heading, text in split_sections(self.body):
            html = markdown_to_html(text)
            if not html and not heading:
                continue
            blocks.append(("section", rules.body_section(heading, html)))
        return blocks


def known_terms():
    return {
        vocabulary: list(model.objects.values_list("name", flat=True))
        for vocabulary, model in vocabulary_models().items()
    }


def validate_files(sources, create_terms=False, defer_bodies=frozenset(), extra_terms=None):
    """Parse and validate every file: (plans, new terms), or ImportFailed with every problem found.

    The bodies of the files named in `defer_bodies` are checked against the limits but not
    rendered: the importer passes the files it has imported byte for byte before, most of which
    it will not write again, and renders the others' with `render_deferred_bodies`.
    `extra_terms` (vocabulary → names) are known too: the run's vocabularies.yaml creates them.
    """
    terms = known_terms()
    for vocabulary, names in (extra_terms or {}).items():
        terms[vocabulary] = list(dict.fromkeys(terms[vocabulary] + names))
    plans, problems, new_terms = [], [], set()
    for source in sources:
        try:
            meta, body = parse_front_matter(source)
            validator = FileValidator(
                source, meta, body, terms, create_terms, render_body=source.name not in defer_bodies
            )
            plan = validator.validate()
        except ImportFailed as failure:
            problems.extend(failure.problems)
            continue
        except Exception:  # a hostile file must never reach the user as a traceback
            logger.exception("Import of %s failed unexpectedly", source.name)
            problems.append(Problem(source.name, "", INTERNAL_ERROR))
            continue
        problems.extend(validator.problems)
        new_terms |= validator.new_terms
        if plan is not None:
            plans.append(plan)
    if not sources:
        problems.append(Problem("", "", "没有要导入的文件。"))
    if problems:
        raise ImportFailed(problems)
    try:
        cross_problems, resolver = check_plans(plans)
    except Exception:
        logger.exception("Checking references across files failed unexpectedly")
        raise ImportFailed([Problem("", "", INTERNAL_ERROR)]) from None
    if cross_problems:
        raise ImportFailed(cross_problems)
    return plans, sorted(new_terms), resolver


@dataclass
class _Named:
    name: str


RENDER_CHUNK = 20  # bodies per task sent to a worker: fewer round trips, results still in order


def render_body(task):
    """(blocks, problems) of one deferred body, task = (file name, type key, Markdown): pure, so a
    worker process can do it (kb.core.workers)."""
    file, type_key, markdown = task
    validator = FileValidator(_Named(file), {}, markdown, None, False)
    try:
        blocks = validator.body_blocks(rules_for(type_key))
    except Exception:  # as in validate_files: a hostile file never reaches the user as a traceback
        logger.exception("Import of %s failed unexpectedly", file)
        validator.problems.append(Problem(file, "", INTERNAL_ERROR))
        blocks = []
    return blocks, validator.problems


def render_deferred_bodies(plans, pool=None):
    """Render the bodies `validate_files` deferred, for the plans that will be written after all;
    on the workers of `pool` when given (a large run: Markdown is a quarter of its time)."""
    deferred = [plan for plan in plans if plan.deferred_body is not None]
    tasks = [(plan.file, plan.type_key, plan.deferred_body) for plan in deferred]
    rendered = pool.imap(render_body, tasks, chunksize=RENDER_CHUNK) if pool else map(render_body, tasks)
    problems = []
    for plan, (blocks, found) in zip(deferred, rendered, strict=True):
        plan.body, plan.deferred_body = blocks, None
        problems += found
    if problems:
        raise ImportFailed(problems)
