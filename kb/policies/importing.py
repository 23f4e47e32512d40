"""The import rules of policies: issuers, document number, dates and the relations between policies."""

from kb.importing.rules import TypeRules

from .models import PolicyIssuer


class PolicyRules(TypeRules):
    keys = frozenset(
        {"issues", "actors", "methods", "region", "issuer", "doc_number", "level"}
        | {"issued_on", "effective_on", "validity"}
    )
    references = {
        "principles": ("principle", "principles"),
        "policies": ("policy", "related_policies"),
        "cases": ("case", "cases"),
        "supersedes": ("policy", "supersedes"),
        "amends": ("policy", "amends"),
        "based_on": ("policy", "based_on"),
    }

    def validate(self, validator, plan):
        plan.extra["issuers"] = validator.string_list("issuer")
        plan.fields.update(
            doc_number=validator.text("doc_number", 100),
            issued_on=validator.partial_date("issued_on"),
            effective_on=validator.partial_date("effective_on"),
        )

    def fill(self, writer, plan, page):
        # Inline rows keep the file's order: modelcluster leaves sort_order to the admin's forms.
        page.issuers = [
            PolicyIssuer(name=name, sort_order=n) for n, name in enumerate(plan.extra.get("issuers", []))
        ]
