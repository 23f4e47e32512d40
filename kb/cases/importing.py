"""The import rules of cases: years, scale, and a body in the standard case sections."""

from kb.importing.rules import TypeRules

from .blocks import CASE_SECTION_BY_HEADING, CASE_SECTION_LABELS, OTHER_SECTION


class CaseRules(TypeRules):
    keys = frozenset(
        {"issues", "actors", "methods", "region", "community_type", "year_start", "year_end", "scale"}
        | {"contributor_credit"}
    )
    references = {
        "principles": ("principle", "principles"),
        "policies": ("policy", "policies"),
        "cases": ("case", "related_cases"),
    }

    def validate(self, validator, plan):
        start = validator.integer("year_start", 1949, 2100)
        end = validator.integer("year_end", 1949, 2100)
        if start and end and end < start:
            validator.problem("year_end", f"结束年份 {end} 早于起始年份 {start}。")
        plan.fields.update(
            year_start=start,
            year_end=end,
            scale=validator.text("scale", 200),
            contributor_credit=validator.text("contributor_credit", 100),
        )

    def body_section(self, heading, html):
        # A standard heading becomes its section; any other keeps its heading under 其他.
        kind = CASE_SECTION_BY_HEADING.get(heading, OTHER_SECTION)
        return {"kind": kind, "heading": "" if kind != OTHER_SECTION else heading, "content": html}

    def export(self, exporter, page):
        meta = {}
        for key in ("year_start", "year_end", "scale", "contributor_credit"):
            value = getattr(page, key)
            if value not in (None, ""):
                meta[key] = value
        return meta

    def export_section(self, value):
        kind = value.get("kind")
        heading = value.get("heading") if kind == OTHER_SECTION else CASE_SECTION_LABELS.get(kind, "")
        return heading or "", value.get("content") or ""

    def export_losses(self, page):
        return ["封面图"] if page.cover_image_id else []
