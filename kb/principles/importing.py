"""The import rules of principles: the family (group) and the place in it."""

from kb.importing.rules import TypeRules


class PrincipleRules(TypeRules):
    keys = frozenset({"group", "order"})
    references = {
        "principles": ("principle", "related_principles"),
        "policies": ("policy", "policies"),
        "cases": ("case", "cases"),
    }

    def validate(self, validator, plan):
        plan.fields.update(group=validator.text("group", 100), order=validator.integer("order", 0, 1000) or 0)

    def export(self, exporter, page):
        meta = {"group": page.group} if page.group else {}
        if page.order:
            meta["order"] = page.order
        return meta
