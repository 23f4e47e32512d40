"""Resolving references between files and pages, and the checks that only show across files.

The site's pages a run names (by slug or title) are looked up once per run, a query per type and
key per chunk of names, not a query per file or per reference.
"""

from kb.core.page_types import page_model, page_types, type_labels

from .problems import Problem, suggestion
from .rules import rules_for

LOOKUP_CHUNK = 500  # names per query (SQLite allows 999 variables per statement)


def first_pages(model, field, values):
    """{value: [pages of `model` whose `field` is value]}, each list in the order `.first()` takes."""
    found = {}
    values = sorted(set(values))
    for start in range(0, len(values), LOOKUP_CHUNK):
        queryset = model.objects.filter(**{f"{field}__in": values[start : start + LOOKUP_CHUNK]})
        if not queryset.ordered:
            queryset = queryset.order_by("pk")  # what .first() does on an unordered queryset
        for page in queryset:
            found.setdefault(getattr(page, field), []).append(page)
    return found


class ReferenceResolver:
    """Finds the page a reference names, by slug or exact title, in this run or in the site."""

    def __init__(self, plans):
        self.in_run = {}
        self.in_site = {}  # (type, reference) → page or None, looked up in bulk by `prefetch`
        for plan in plans:
            self.in_run.setdefault(plan.type_key, {})
            self.in_run[plan.type_key].setdefault(plan.slug, plan)
            self.in_run[plan.type_key].setdefault(plan.title, plan)

    def prefetch(self, references):
        """Look up at once the site's pages that `references` [(type, reference)] may name."""
        wanted = {}
        for target_type, reference in references:
            if (
                reference not in self.in_run.get(target_type, {})
                and (target_type, reference) not in self.in_site
            ):
                wanted.setdefault(target_type, set()).add(reference)
        for target_type, names in wanted.items():
            model = page_model(target_type)
            by_slug, by_title = first_pages(model, "slug", names), first_pages(model, "title", names)
            for name in names:
                pages = by_slug.get(name) or by_title.get(name) or [None]
                self.in_site[(target_type, name)] = pages[0]

    def find(self, target_type, reference):
        """("plan", PagePlan) or ("page", Page) or None."""
        plan = self.in_run.get(target_type, {}).get(reference)
        if plan is not None:
            return ("plan", plan)
        if (target_type, reference) not in self.in_site:
            self.prefetch([(target_type, reference)])
        page = self.in_site[(target_type, reference)]
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
    by_slug, by_title = {}, {}
    for page_type in page_types():
        of_type = [plan for plan in plans if plan.type_key == page_type.key]
        if of_type:
            by_slug[page_type.key] = first_pages(page_type.model, "slug", [plan.slug for plan in of_type])
            by_title[page_type.key] = first_pages(page_type.model, "title", [plan.title for plan in of_type])
    for plan in plans:
        for key, value in (("slug", plan.slug), ("title", plan.title)):
            other = seen.setdefault((plan.type_key, key, value), plan)
            if other is not plan:
                problems.append(Problem(plan.file, key, f"与 {other.file} 的 {key} 相同：“{value}”。"))
        plan.existing = (by_slug[plan.type_key].get(plan.slug) or [None])[0]
        clash = next(
            (page for page in by_title[plan.type_key].get(plan.title, []) if page.slug != plan.slug), None
        )
        if clash is not None:
            problems.append(
                Problem(
                    plan.file,
                    "title",
                    f"已有同名{type_labels()[plan.type_key]}（slug 为“{clash.slug}”）；同一类型的标题不能重复。",
                )
            )
    for page_type in page_types():
        problems += rules_for(page_type.key).check_run([p for p in plans if p.type_key == page_type.key])
    resolver = ReferenceResolver(plans)
    references_of = {}
    for plan in plans:
        references = [ref for refs in plan.references.values() for ref in refs]
        references_of[id(plan)] = references + rules_for(plan.type_key).more_references(plan)
    resolver.prefetch(
        (target_type, reference) for refs in references_of.values() for target_type, reference, _ in refs
    )
    for plan in plans:
        for target_type, reference, where in references_of[id(plan)]:
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
    for page_type in page_types():
        problems += rules_for(page_type.key).check_references(
            [p for p in plans if p.type_key == page_type.key], resolver
        )
    return problems, resolver
