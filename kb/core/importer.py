"""The one importer of Markdown content files (INTERFACES.md §3).

`import_content` and the admin upload both go through `import_files`: every file is parsed and
validated first, and only when all of them are valid is anything written, in one transaction.
A dry run performs the whole import and rolls it back, so it catches everything a real run would.
"""

import datetime
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_unicode_slug
from django.db import transaction
from django.utils.text import slugify

from kb.cases.blocks import CASE_SECTION_BY_HEADING, OTHER_SECTION
from kb.vocabularies.models import VOCABULARY_MODELS, Region, split_region_path

from .fields import PARTIAL_DATE_RE
from .markdown import markdown_to_html, split_sections
from .page_types import index_model, page_model, type_labels, vocabulary_label

MAX_SUMMARY_LENGTH = 300
MAX_TITLE_LENGTH = 255
FRONT_MATTER_FENCE = "---"

COMMON_KEYS = {"type", "title", "slug", "summary", "source"}
KEYS_BY_TYPE = {
    "case": COMMON_KEYS
    | {"issues", "actors", "methods", "region", "community_type", "year_start", "year_end", "scale"}
    | {"principles", "policies", "cases"},
    "policy": COMMON_KEYS
    | {"issues", "actors", "methods", "region", "issuer", "doc_number", "level"}
    | {"issued_on", "effective_on", "validity", "supersedes", "amends", "based_on"}
    | {"principles", "policies", "cases"},
    "principle": COMMON_KEYS | {"group", "order", "principles", "policies", "cases"},
    "course": COMMON_KEYS
    | {"issues", "actors", "methods", "audience", "duration_hours", "objectives", "prerequisites"}
    | {"modules", "principles", "policies", "cases", "timetable"},
}
SOURCE_KEYS = {"title", "author", "url", "date", "note"}
MODULE_KEYS = {"title", "minutes", "objectives", "activity", "method", "cases", "principles", "policies"} | {
    "exercise_minutes",
    "questions",
    "key_points",
    "instructor_notes",
    "library",
}
# Course `timetable` keys → (CoursePage field, kind, default).
TIMETABLE_KEYS = {
    "day_start": ("day_start", "time", "09:00"),
    "day_end": ("day_end", "time", "17:00"),
    "lunch_start": ("lunch_start", "time", "12:00"),
    "lunch_minutes": ("lunch_minutes", "minutes", 60),
    "break_minutes": ("break_minutes", "minutes", 15),
    "break_after_minutes": ("break_after_minutes", "minutes", 90),
    "days": ("planned_days", "days", None),
}

# Front-matter key → (vocabulary, model field) for lists of terms and for single terms.
TERM_LIST_KEYS = {"issues": "issue", "actors": "actor", "methods": "method", "audience": "audience"}
SINGLE_TERM_KEYS = {"community_type": "community_type", "level": "level", "validity": "validity"}
# Front-matter reference key → (type referred to, model field) per page type.
REFERENCE_KEYS = {
    "case": {
        "principles": ("principle", "principles"),
        "policies": ("policy", "policies"),
        "cases": ("case", "related_cases"),
    },
    "policy": {
        "principles": ("principle", "principles"),
        "policies": ("policy", "related_policies"),
        "cases": ("case", "cases"),
        "supersedes": ("policy", "supersedes"),
        "amends": ("policy", "amends"),
        "based_on": ("policy", "based_on"),
    },
    "principle": {
        "principles": ("principle", "related_principles"),
        "policies": ("policy", "policies"),
        "cases": ("case", "cases"),
    },
    "course": {
        "principles": ("principle", "principles"),
        "policies": ("policy", "policies"),
        "cases": ("case", "cases"),
    },
}
MODULE_REFERENCE_KEYS = {"principles": "principle", "policies": "policy", "cases": "case"}
_ASCII_SLUG_RE = re.compile(r"[^a-z0-9-]+")


@dataclass(frozen=True)
class Problem:
    file: str
    field: str
    message: str

    def __str__(self):
        where = f"{self.file}: {self.field}" if self.field else self.file
        return f"{where}: {self.message}"


class ImportFailed(Exception):
    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass
class SourceFile:
    name: str  # how errors and reports name the file
    text: str


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
    issuers: list = field(default_factory=list)
    modules: list = field(default_factory=list)
    body: list = field(default_factory=list)  # StreamField data
    existing: object = None

    @property
    def action(self):
        return "update" if self.existing is not None else "create"


@dataclass
class ImportResult:
    plans: list
    new_terms: list  # [(vocabulary, name)]
    new_regions: list
    published: bool
    dry_run: bool

    def counts(self):
        counts = {}
        for plan in self.plans:
            counts.setdefault(plan.type_key, {"create": 0, "update": 0})[plan.action] += 1
        return counts


# --------------------------------------------------------------------------- reading files


def collect_files(paths):
    """Markdown files named by `paths` (files or folders, searched recursively), in a stable order."""
    files, problems = [], []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.md") if p.is_file())
            if not found:
                problems.append(Problem(str(path), "", "文件夹中没有 .md 文件。"))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(str(path), "", "文件或文件夹不存在。"))
    if problems:
        raise ImportFailed(problems)
    return [SourceFile(str(path), path.read_bytes()) for path in dict.fromkeys(files)]


def decode(source):
    if isinstance(source.text, bytes):
        try:
            return source.text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFailed([Problem(source.name, "", "文件不是 UTF-8 编码。")]) from None
    return source.text


def parse_front_matter(source):
    """(front matter dict, Markdown body) of one file."""
    text = decode(source).replace("\r\n", "\n")
    lines = text.split("\n")
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        raise ImportFailed([Problem(source.name, "", "文件必须以“---”开头的 YAML 头信息开始。")])
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FRONT_MATTER_FENCE)
    except StopIteration:
        raise ImportFailed([Problem(source.name, "", "YAML 头信息缺少结尾的“---”行。")]) from None
    try:
        meta = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"（第 {mark.line + 2} 行）" if mark else ""
        raise ImportFailed([Problem(source.name, "", f"YAML 头信息格式错误{where}：{error}")]) from None
    if not isinstance(meta, dict):
        raise ImportFailed([Problem(source.name, "", "YAML 头信息必须是“键: 值”的映射。")])
    return meta, "\n".join(lines[end + 1 :])


# --------------------------------------------------------------------------- validating values


def nearest(value, candidates, limit=3):
    """Known values closest to a mistyped one: containment first, then similarity."""
    value = str(value)
    containing = [c for c in candidates if value in c or c in value]
    similar = difflib.get_close_matches(value, candidates, n=limit, cutoff=0.4)
    return list(dict.fromkeys(containing + similar))[:limit]


def suggestion(value, candidates):
    close = nearest(value, candidates)
    return f"最接近的有：{'、'.join(close)}。" if close else ""


class FileValidator:
    """Validates the front matter of one file, collecting every problem instead of stopping at one."""

    def __init__(self, source, meta, body, known_terms, create_terms):
        self.source = source
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
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.problem(key, "应为文本。")
            return ""
        value = value.strip()
        if max_length and len(value) > max_length:
            self.problem(key, f"过长：{len(value)} 个字符，最多 {max_length} 个。")
        return value

    def string_list(self, key, value=None, where=None):
        value = self.meta.get(key) if value is None else value
        where = where or key
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
            self.problem(where, "应为文本列表，如 [甲, 乙]。")
            return []
        return [str(v).strip() for v in value if str(v).strip()]

    def integer(self, key, minimum=None, maximum=None, value=None, where=None):
        value = self.meta.get(key) if value is None else value
        where = where or key
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, str) and value.strip().isdigit():
                value = int(value.strip())
            else:
                self.problem(where, f"应为整数，而不是“{value}”。")
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
        value = str(value).strip()
        if not PARTIAL_DATE_RE.match(value):
            self.problem(where, f"日期“{value}”格式不对，应为 YYYY、YYYY-MM 或 YYYY-MM-DD。")
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
        if type_key is None:
            self.problem("type", f"必填，可选值：{', '.join(type_labels())}。")
            return None
        if type_key not in type_labels():
            self.problem("type", f"未知的类型“{type_key}”，可选值：{', '.join(type_labels())}。")
            return None
        allowed = KEYS_BY_TYPE[type_key]
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
        for key, (target_type, model_field) in REFERENCE_KEYS[type_key].items():
            references = self.string_list(key)
            if references:
                plan.references[model_field] = [(target_type, ref, key) for ref in references]
        getattr(self, f"validate_{type_key}")(plan)
        plan.body = self.body_blocks(type_key)
        return None if self.problems else plan

    def slug(self, title):
        slug = self.meta.get("slug")
        if slug in (None, ""):
            slug = slugify(title, allow_unicode=True)[:255]
            if not slug:
                self.problem("slug", "无法从标题生成 slug，请填写 slug。")
            return slug
        slug = str(slug).strip()
        try:
            validate_unicode_slug(slug)
        except ValidationError:
            fixed = _ASCII_SLUG_RE.sub("-", slug.lower()).strip("-")
            self.problem("slug", f"“{slug}”不是合法的 slug：只能用字母、数字、连字符和下划线，如“{fixed}”。")
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
                plan.fields[f"source_{key}"] = str(value).strip()[:255]
        url = source.get("url")
        if url not in (None, ""):
            try:
                URLValidator(schemes=["http", "https"])(str(url))
                plan.fields["source_url"] = str(url)
            except ValidationError:
                self.problem("source.url", f"“{url}”不是有效的 http(s) 链接。")
        plan.fields["source_date"] = self.partial_date("date", source.get("date"), "source.date")

    def validate_case(self, plan):
        start = self.integer("year_start", 1949, 2100)
        end = self.integer("year_end", 1949, 2100)
        if start and end and end < start:
            self.problem("year_end", f"结束年份 {end} 早于起始年份 {start}。")
        plan.fields.update(year_start=start, year_end=end, scale=self.text("scale", 200))

    def validate_policy(self, plan):
        plan.issuers = self.string_list("issuer")
        plan.fields.update(
            doc_number=self.text("doc_number", 100),
            issued_on=self.partial_date("issued_on"),
            effective_on=self.partial_date("effective_on"),
        )

    def validate_principle(self, plan):
        plan.fields.update(group=self.text("group", 100), order=self.integer("order", 0, 1000) or 0)

    def validate_course(self, plan):
        plan.fields["objectives"] = "\n".join(self.string_list("objectives"))
        plan.fields["prerequisites"] = self.text("prerequisites")
        modules = self.meta.get("modules") or []
        if not isinstance(modules, list):
            self.problem("modules", "应为单元列表。")
            modules = []
        for position, module in enumerate(modules, start=1):
            where = f"modules[{position}]"
            if not isinstance(module, dict):
                self.problem(where, "每个单元应为映射（title、minutes、objectives、activity …）。")
                continue
            for key in module:
                if key not in MODULE_KEYS:
                    self.problem(f"{where}.{key}", f"不认识的键，可用：{', '.join(sorted(MODULE_KEYS))}。")
            title = module.get("title")
            if not isinstance(title, str) or not title.strip():
                self.problem(f"{where}.title", "必填。")
            minutes = self.integer(None, 1, 24 * 60, value=module.get("minutes"), where=f"{where}.minutes")
            if module.get("minutes") in (None, ""):
                self.problem(f"{where}.minutes", "必填（整数分钟）。")
            method = module.get("method")
            if method not in (None, ""):
                method = self.term("method", str(method).strip(), f"{where}.method")
            activity = module.get("activity") or ""
            if not isinstance(activity, str):
                self.problem(f"{where}.activity", "应为文本。")
                activity = ""
            notes = module.get("instructor_notes") or ""
            if not isinstance(notes, str):
                self.problem(f"{where}.instructor_notes", "应为文本。")
                notes = ""
            exercise = self.integer(
                None, 0, 24 * 60, value=module.get("exercise_minutes"), where=f"{where}.exercise_minutes"
            )
            if exercise and minutes and exercise > minutes:
                self.problem(
                    f"{where}.exercise_minutes", f"练习 {exercise} 分钟超过了单元时长 {minutes} 分钟。"
                )
            library = module.get("library", False)
            if not isinstance(library, bool):
                self.problem(f"{where}.library", "应为 true 或 false。")
                library = False
            plan.modules.append(
                {
                    "title": str(title or "").strip()[:200],
                    "minutes": minutes or 0,
                    "objectives": "\n".join(
                        self.string_list(None, module.get("objectives") or [], f"{where}.objectives")
                    ),
                    "activity": activity.strip(),
                    "method": method or None,
                    "exercise_minutes": exercise or 0,
                    "questions": "\n".join(
                        self.string_list(None, module.get("questions") or [], f"{where}.questions")
                    ),
                    "key_points": "\n".join(
                        self.string_list(None, module.get("key_points") or [], f"{where}.key_points")
                    ),
                    "instructor_notes": notes.strip(),
                    "library": library,
                    "references": {
                        key: [
                            (target_type, ref, f"{where}.{key}")
                            for ref in self.string_list(None, module.get(key) or [], f"{where}.{key}")
                        ]
                        for key, target_type in MODULE_REFERENCE_KEYS.items()
                    },
                }
            )
        library_titles = [module["title"] for module in plan.modules if module["library"]]
        for title in {t for t in library_titles if library_titles.count(t) > 1}:
            self.problem("modules", f"有多个单元名为“{title}”并标了 library: true，模块库中的名称不能重复。")
        self.validate_timetable(plan)
        total = sum(module["minutes"] for module in plan.modules)
        hours = self.meta.get("duration_hours")
        if hours not in (None, ""):
            if isinstance(hours, bool) or not isinstance(hours, (int, float)) or hours <= 0:
                self.problem("duration_hours", f"应为正数（小时），而不是“{hours}”。")
            elif abs(hours * 60 - total) > 0.5:
                self.problem(
                    "duration_hours",
                    f"写的是 {hours} 小时，但各单元合计 {total} 分钟（{total / 60:g} 小时）。",
                )

    def validate_timetable(self, plan):
        from kb.courses.timetable import Rules, as_time, parse_time

        given = self.meta.get("timetable") or {}
        if not isinstance(given, dict):
            self.problem("timetable", f"应为映射：{', '.join(TIMETABLE_KEYS)}。")
            given = {}
        for key in given:
            if key not in TIMETABLE_KEYS:
                self.problem(f"timetable.{key}", f"不认识的键，可用：{', '.join(TIMETABLE_KEYS)}。")
        values = {}
        for key, (model_field, kind, default) in TIMETABLE_KEYS.items():
            value = given.get(key, default)
            where = f"timetable.{key}"
            if kind == "time":
                try:
                    # YAML reads an unquoted 9:00 as the number 540 (minutes): parse_time accepts both.
                    minutes = parse_time(value)
                except ValueError as error:
                    self.problem(where, str(error))
                    continue
                values[key] = minutes
                plan.fields[model_field] = as_time(minutes) if minutes is not None else None
            else:
                number = self.integer(None, 0 if kind == "minutes" else 1, 24 * 60, value=value, where=where)
                values[key] = number
                plan.fields[model_field] = number if number is not None else default
        for key in ("day_start", "day_end"):
            if key in values and values[key] is None:
                self.problem(f"timetable.{key}", "不能为空。")
        if values.get("day_start") is None or values.get("day_end") is None:
            return
        try:
            Rules(
                day_start=values["day_start"],
                day_end=values["day_end"],
                lunch_start=values.get("lunch_start"),
                lunch_minutes=values.get("lunch_minutes") or 0,
                break_minutes=values.get("break_minutes") or 0,
                break_after=values.get("break_after_minutes") or 0,
            )
        except ValueError as error:
            self.problem("timetable", str(error))
        lunch = values.get("lunch_start")
        if lunch is not None and not values["day_start"] <= lunch < values["day_end"]:
            self.problem("timetable.lunch_start", "午餐时间应在每天开始和结束时间之间。")

    def body_blocks(self, type_key):
        blocks = []
        for heading, text in split_sections(self.body):
            html = markdown_to_html(text)
            if not html and not heading:
                continue
            if type_key == "case":
                kind = CASE_SECTION_BY_HEADING.get(heading, OTHER_SECTION)
                value = {"kind": kind, "heading": "" if kind != OTHER_SECTION else heading, "content": html}
            else:
                value = {"heading": heading, "content": html}
            blocks.append(("section", value))
        return blocks


# --------------------------------------------------------------------------- resolving references


class ReferenceResolver:
    """Finds the page a reference names, by slug or exact title, in this run or in the site."""

    def __init__(self, plans):
        self.in_run = {}
        for plan in plans:
            self.in_run.setdefault(plan.type_key, {})
            self.in_run[plan.type_key].setdefault(plan.slug, plan)
            self.in_run[plan.type_key].setdefault(plan.title, plan)

    def find(self, target_type, reference):
        """("plan", PagePlan) or ("page", Page) or None."""
        plan = self.in_run.get(target_type, {}).get(reference)
        if plan is not None:
            return ("plan", plan)
        model = page_model(target_type)
        page = model.objects.filter(slug=reference).first() or model.objects.filter(title=reference).first()
        return ("page", page) if page is not None else None

    def candidates(self, target_type):
        model = page_model(target_type)
        names = list(model.objects.values_list("slug", flat=True)) + list(
            model.objects.values_list("title", flat=True)
        )
        return names + list(self.in_run.get(target_type, {}))


def refers_to_itself(plan, kind, target):
    if kind == "plan":
        return target is plan
    return plan.existing is not None and target.pk == plan.existing.pk


def check_plans(plans):
    """Problems that only show across files: duplicates, clashes with the site, bad references."""
    problems = []
    seen = {}
    for plan in plans:
        for key, value in (("slug", plan.slug), ("title", plan.title)):
            other = seen.setdefault((plan.type_key, key, value), plan)
            if other is not plan:
                problems.append(Problem(plan.file, key, f"与 {other.file} 的 {key} 相同：“{value}”。"))
        model = page_model(plan.type_key)
        plan.existing = model.objects.filter(slug=plan.slug).first()
        clash = model.objects.filter(title=plan.title).exclude(slug=plan.slug).first()
        if clash is not None:
            problems.append(
                Problem(
                    plan.file,
                    "title",
                    f"已有同名{type_labels()[plan.type_key]}（slug 为“{clash.slug}”）；同一类型的标题不能重复。",
                )
            )
    library_titles = {}
    for plan in plans:
        for position, module in enumerate(plan.modules, start=1):
            if module["library"]:
                other = library_titles.setdefault(module["title"], plan)
                if other is not plan:
                    problems.append(
                        Problem(
                            plan.file,
                            f"modules[{position}].library",
                            f"{other.file} 也把“{module['title']}”存入模块库；模块库中的名称不能重复。",
                        )
                    )
    resolver = ReferenceResolver(plans)
    for plan in plans:
        references = [ref for refs in plan.references.values() for ref in refs]
        references += [
            ref for module in plan.modules for refs in module["references"].values() for ref in refs
        ]
        for target_type, reference, where in references:
            found = resolver.find(target_type, reference)
            if found is None:
                problems.append(
                    Problem(
                        plan.file,
                        where,
                        f"找不到{type_labels()[target_type]}“{reference}”（按 slug 或标题查找）。"
                        f"{suggestion(reference, resolver.candidates(target_type))}",
                    )
                )
            elif refers_to_itself(plan, *found):
                problems.append(Problem(plan.file, where, "页面不能引用它自己。"))
    return problems, resolver


# --------------------------------------------------------------------------- writing


class DryRunRollback(Exception):
    pass


def known_terms():
    return {
        vocabulary: list(model.objects.values_list("name", flat=True))
        for vocabulary, model in VOCABULARY_MODELS.items()
    }


def validate_files(sources, create_terms=False):
    """Parse and validate every file: (plans, new terms), or ImportFailed with every problem found."""
    terms = known_terms()
    plans, problems, new_terms = [], [], set()
    for source in sources:
        try:
            meta, body = parse_front_matter(source)
        except ImportFailed as failure:
            problems.extend(failure.problems)
            continue
        validator = FileValidator(source, meta, body, terms, create_terms)
        plan = validator.validate()
        problems.extend(validator.problems)
        new_terms |= validator.new_terms
        if plan is not None:
            plans.append(plan)
    if not sources:
        problems.append(Problem("", "", "没有要导入的文件。"))
    if problems:
        raise ImportFailed(problems)
    cross_problems, resolver = check_plans(plans)
    if cross_problems:
        raise ImportFailed(cross_problems)
    return plans, sorted(new_terms), resolver


def import_files(sources, *, publish=False, dry_run=False, create_terms=False, user=None):
    """Validate then write every file, all or nothing. Raises ImportFailed with every problem."""
    plans, new_terms, resolver = validate_files(sources, create_terms=create_terms)
    new_regions = sorted(
        {
            p.region_path
            for p in plans
            if p.region_path and not Region.objects.filter(path=p.region_path).exists()
        }
    )
    result = ImportResult(plans, new_terms, new_regions, publish, dry_run)
    try:
        with transaction.atomic():
            PageWriter(plans, resolver, publish=publish, user=user).write(new_terms)
            if dry_run:
                raise DryRunRollback
    except DryRunRollback:
        pass
    return result


class PageWriter:
    def __init__(self, plans, resolver, publish, user):
        self.plans = plans
        self.resolver = resolver
        self.publish = publish
        self.user = user
        self.pages = {}  # id(plan) → page object being written

    def write(self, new_terms):
        from .site_structure import ensure_site_structure

        ensure_site_structure()
        parents = {key: index_model(key).objects.order_by("path").first() for key in type_labels()}
        for vocabulary, name in new_terms:
            VOCABULARY_MODELS[vocabulary].objects.get_or_create(name=name)
        # First every page exists, so references between files of this run can point at them.
        for plan in self.plans:
            try:
                self.pages[id(plan)] = self.prepare(plan, parents[plan.type_key])
            except ValidationError as error:
                raise ImportFailed(self.validation_problems(plan, error)) from None
        for plan in self.plans:
            try:
                self.fill(plan, self.pages[id(plan)])
            except ValidationError as error:
                raise ImportFailed(self.validation_problems(plan, error)) from None

    @staticmethod
    def validation_problems(plan, error):
        if hasattr(error, "message_dict"):
            return [
                Problem(plan.file, key, " ".join(messages)) for key, messages in error.message_dict.items()
            ]
        return [Problem(plan.file, "", " ".join(error.messages))]

    def prepare(self, plan, parent):
        if plan.existing is not None:
            page = plan.existing.get_latest_revision_as_object()
        else:
            # A new page belongs to whoever imports it (the admin upload passes its user).
            page = page_model(plan.type_key)(slug=plan.slug, live=False, owner=self.user)
        page.title = plan.title
        page.slug = plan.slug
        for name, value in plan.fields.items():
            setattr(page, name, value)
        for name, term in plan.single_terms.items():
            setattr(page, name, VOCABULARY_MODELS[SINGLE_TERM_KEYS[name]].objects.get(name=term))
        if hasattr(page, "region"):
            page.region = Region.get_or_create_path(plan.region_path) if plan.region_path else None
        page.body = plan.body
        if plan.existing is None:
            parent.add_child(instance=page)
        return page

    def resolve(self, target_type, reference):
        kind, found = self.resolver.find(target_type, reference)
        return self.pages[id(found)] if kind == "plan" else found

    def resolve_all(self, references):
        return list({page.pk: page for page in (self.resolve(t, ref) for t, ref, _ in references)}.values())

    def fill(self, plan, page):
        from kb.courses.models import CourseModule, ModuleTemplate
        from kb.policies.models import PolicyIssuer
        from kb.vocabularies.models import Method

        for key, names in plan.term_lists.items():
            vocabulary = TERM_LIST_KEYS[key]
            setattr(page, key, list(VOCABULARY_MODELS[vocabulary].objects.filter(name__in=names)))
        reference_fields = {model_field for _, model_field in REFERENCE_KEYS[plan.type_key].values()}
        for model_field in reference_fields:
            setattr(page, model_field, self.resolve_all(plan.references.get(model_field, [])))
        if plan.type_key == "policy":
            # Inline rows keep the file's order: modelcluster leaves sort_order to the admin's forms.
            page.issuers = [PolicyIssuer(name=name, sort_order=n) for n, name in enumerate(plan.issuers)]
        if plan.type_key == "course":
            modules = []
            for position, data in enumerate(plan.modules):
                module = CourseModule(
                    sort_order=position,
                    title=data["title"],
                    minutes=data["minutes"],
                    exercise_minutes=data["exercise_minutes"],
                    questions=data["questions"],
                    objectives=data["objectives"],
                    key_points=data["key_points"],
                    activity=data["activity"],
                    instructor_notes=data["instructor_notes"],
                    method=Method.objects.get(name=data["method"]) if data["method"] else None,
                )
                for key in MODULE_REFERENCE_KEYS:
                    setattr(module, key, self.resolve_all(data["references"][key]))
                if data["library"]:
                    # The file is the source of truth: the library copy follows it on every import.
                    template = ModuleTemplate.objects.filter(title=module.title).first() or ModuleTemplate()
                    module.copy_content_to(template)
                    template.save()
                    module.library_module = template
                modules.append(module)
            page.modules = modules
        revision = page.save_revision(user=self.user, log_action=True)
        if self.publish:
            revision.publish(user=self.user)
