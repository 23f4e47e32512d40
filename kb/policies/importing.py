"""The import rules of policies: issuers, document number, dates and the relations between policies."""

from kb.importing.problems import Problem, shown
from kb.importing.resolving import refers_to_itself
from kb.importing.rules import TypeRules

from .models import PolicyIssuer
from .relations import TIME_ORDERED_RELATIONS, existing_relations, relation_cycles, titles_of


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

    def check_references(self, plans, resolver):
        """Supersedes/amends chains that loop (across this run and the site) or say two things."""
        if not any(plan.references.get(relation) for plan in plans for relation in TIME_ORDERED_RELATIONS):
            return []

        def node(kind, target):
            # A page of the site by its pk; a file of the run by its page's pk once it exists.
            if kind == "page":
                return target.pk
            return target.existing.pk if target.existing is not None else ("plan", id(target))

        problems, edges, names, files = [], {}, {}, {}
        for plan in plans:
            source = node("plan", plan)
            names[source], files[source] = plan.title, plan.file
            targets = {}
            for relation in TIME_ORDERED_RELATIONS:
                for target_type, reference, _ in plan.references.get(relation, []):
                    found = resolver.find(target_type, reference)
                    if found is not None and not refers_to_itself(plan, *found):
                        targets.setdefault(node(*found), []).append((relation, reference))
            for relations in targets.values():
                if {"supersedes", "amends"} <= {relation for relation, _ in relations}:
                    problems.append(
                        Problem(
                            plan.file, "amends", f"同时取代又修订“{shown(relations[0][1])}”，只能选一种关系。"
                        )
                    )
            edges[source] = list(targets)
        in_run = {key for key in edges if not isinstance(key, tuple)}
        for source, relations in existing_relations(exclude_pks=in_run).items():
            edges.setdefault(source, []).extend(target for _, target in relations)
        cycles = [cycle for cycle in relation_cycles(edges) if any(member in files for member in cycle)]
        names.update(titles_of({member for cycle in cycles for member in cycle if member not in names}))
        for cycle in cycles:
            chain = " → ".join(f"“{shown(names.get(member, member))}”" for member in cycle)
            where = files[next(member for member in cycle if member in files)]
            problems.append(
                Problem(
                    where, "supersedes", f"取代/修订关系形成循环：{chain}。新政策只能取代或修订更早的政策。"
                )
            )
        return problems

    def fill(self, writer, plan, page):
        # Inline rows keep the file's order: modelcluster leaves sort_order to the admin's forms.
        page.issuers = [
            PolicyIssuer(name=name, sort_order=n) for n, name in enumerate(plan.extra.get("issuers", []))
        ]

    def export(self, exporter, page):
        meta = {}
        issuers = [issuer.name for issuer in page.issuers.all()]
        if issuers:
            meta["issuer"] = issuers
        for key in ("doc_number", "issued_on", "effective_on"):
            if getattr(page, key):
                meta[key] = getattr(page, key)
        return meta

    def export_queryset(self, queryset):
        return super().export_queryset(queryset).prefetch_related("issuers", "attachments")

    def export_losses(self, page):
        count = len(page.attachments.all())
        return [f"{count} 个附件"] if count else []
