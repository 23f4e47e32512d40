"""Resolving references between files and pages, and the checks that only show across files."""

from kb.core.page_types import page_model, page_types, type_labels

from .problems import Problem, suggestion
from .rules import rules_for


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
    for page_type in page_types():
        problems += rules_for(page_type.key).check_run([p for p in plans if p.type_key == page_type.key])
    resolver = ReferenceResolver(plans)
    for plan in plans:
        references = [ref for refs in plan.references.values() for ref in refs]
        references += rules_for(plan.type_key).more_references(plan)
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
    for page_type in page_types():
        problems += rules_for(page_type.key).check_references(
            [p for p in plans if p.type_key == page_type.key], resolver
        )
    return problems, resolver
