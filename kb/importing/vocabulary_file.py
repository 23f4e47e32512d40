"""A folder's `vocabularies.yaml`: the terms and places to have before its pages are imported.

`export_content` writes one, so a backup restores every vocabulary term (with its description and
order) and every region, used by a page or not. In a run, the file's terms count as known, so
its pages need no `--create-terms`; a term the site already has takes the file's description and
order. The file is read with the same safe YAML loader as front matter (no aliases, no tags).

    issue:
    - name: 停车
      description: 机动车与非机动车停放
      sort_order: 3
    - 加装电梯          # a name alone is fine too
    region:
    - 四川省/成都市/武侯区
"""

from dataclasses import dataclass, field

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat

from kb.core.page_types import vocabulary_label, vocabulary_models
from kb.vocabularies.models import Region, split_region_path

from .front_matter import FrontMatterError, FrontMatterLoader
from .problems import ImportFailed, Problem, shown, type_name
from .reading import decode

MAX_VOCABULARY_FILE_BYTES = 4 * 1024 * 1024
REGION_KEY = "region"
TERM_KEYS = ("name", "description", "sort_order")


@dataclass
class VocabularyPlan:
    terms: dict = field(default_factory=dict)  # vocabulary → {name: (description, sort_order)}
    regions: list = field(default_factory=list)

    def names(self):
        return {vocabulary: list(terms) for vocabulary, terms in self.terms.items()}

    def new_terms(self):
        """(vocabulary, name) of the file's terms the site does not have yet."""
        new = []
        for vocabulary, terms in self.terms.items():
            known = set(
                vocabulary_models()[vocabulary]
                .objects.filter(name__in=list(terms))
                .values_list("name", flat=True)
            )
            new.extend((vocabulary, name) for name in terms if name not in known)
        return sorted(new)

    @transaction.atomic
    def apply(self):
        """Create or update the file's terms and places (inside the import's transaction)."""
        for vocabulary, terms in self.terms.items():
            model = vocabulary_models()[vocabulary]
            existing = {term.name: term for term in model.objects.filter(name__in=list(terms))}
            changed = []
            for name, (description, sort_order) in terms.items():
                term = existing.get(name)
                if term is None:
                    model.objects.create(name=name, description=description, sort_order=sort_order)
                elif (term.description, term.sort_order) != (description, sort_order):
                    term.description, term.sort_order = description, sort_order
                    changed.append(term)
            if changed:
                model.objects.bulk_update(changed, ["description", "sort_order"])
        known = set(Region.objects.filter(path__in=self.regions).values_list("path", flat=True))
        for path in self.regions:
            if path not in known:
                Region.get_or_create_path(path)


def read_vocabulary_files(sources):
    """One VocabularyPlan from the run's vocabulary files, or ImportFailed with every problem."""
    plan, problems = VocabularyPlan(), []
    for source in sources:
        problems.extend(_read(source, plan))
    if problems:
        raise ImportFailed(problems)
    return plan


def _read(source, plan):
    problems = []

    def problem(where, message):
        problems.append(Problem(source.name, where, message))

    if len(source.text) > MAX_VOCABULARY_FILE_BYTES:
        problem("", f"词表文件超过上限 {filesizeformat(MAX_VOCABULARY_FILE_BYTES)}。")
        return problems
    try:
        data = yaml.load(decode(source), Loader=FrontMatterLoader)
    except ImportFailed as failure:
        return failure.problems
    except FrontMatterError as error:
        problem("", str(error))
        return problems
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"（第 {mark.line + 1} 行）" if mark else ""
        problem("", f"YAML 格式错误{where}：{getattr(error, 'problem', None) or error}")
        return problems
    except (ValueError, OverflowError, RecursionError) as error:
        problem("", f"词表文件中有无法读取的值：{str(error)[:200]}")
        return problems
    if data is None:
        return problems
    if not isinstance(data, dict):
        problem("", "词表文件应为“词表: 词条列表”的映射。")
        return problems
    vocabularies = vocabulary_models()
    for key, values in data.items():
        if key != REGION_KEY and key not in vocabularies:
            known = "、".join([*vocabularies, REGION_KEY])
            problem(key, f"不认识的词表，可用：{known}。")
            continue
        if not isinstance(values, list):
            problem(key, f"应为列表，而不是{type_name(values)}。")
            continue
        if key == REGION_KEY:
            _read_regions(values, plan, problem)
        else:
            _read_terms(key, values, plan, problem)
    return problems


def _read_regions(values, plan, problem):
    for position, value in enumerate(values, start=1):
        where = f"{REGION_KEY}[{position}]"
        if not isinstance(value, str):
            problem(where, f"应为地区路径文本，而不是{type_name(value)}。")
            continue
        try:
            path = "/".join(split_region_path(value))
        except ValidationError as error:
            problem(where, " ".join(error.messages))
            continue
        if path not in plan.regions:
            plan.regions.append(path)


def _read_terms(vocabulary, values, plan, problem):
    terms = plan.terms.setdefault(vocabulary, {})
    max_length = vocabulary_models()[vocabulary]._meta.get_field("name").max_length
    for position, value in enumerate(values, start=1):
        where = f"{vocabulary}[{position}]"
        if isinstance(value, str):
            value = {"name": value}
        if not isinstance(value, dict):
            problem(where, f"应为词条名称或 name/description/sort_order 映射，而不是{type_name(value)}。")
            continue
        for key in value:
            if key not in TERM_KEYS:
                problem(f"{where}.{key}", f"不认识的键，可用：{', '.join(TERM_KEYS)}。")
        name, description, sort_order = (
            value.get("name"),
            value.get("description") or "",
            value.get("sort_order") or 0,
        )
        if not isinstance(name, str) or not name.strip():
            problem(f"{where}.name", f"{vocabulary_label(vocabulary)}词条需要名称（文本）。")
            continue
        name = name.strip()
        if len(name) > max_length:
            problem(f"{where}.name", f"“{shown(name)}”过长：最多 {max_length} 个字符。")
            continue
        if not isinstance(description, str):
            problem(f"{where}.description", f"应为文本，而不是{type_name(description)}。")
            continue
        if (
            isinstance(sort_order, bool)
            or not isinstance(sort_order, int)
            or not 0 <= sort_order <= 1_000_000
        ):
            problem(f"{where}.sort_order", f"应为 0 到 1000000 之间的整数，而不是“{shown(sort_order)}”。")
            continue
        if name in terms:
            problem(f"{where}.name", f"“{shown(name)}”重复出现。")
            continue
        terms[name] = (description.strip(), sort_order)
