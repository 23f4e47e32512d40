"""The four sections of the site (案例, 政策, 原则, 课程): one place that knows their index pages."""

from django.apps import apps

# (type key, label, index page model, page model), in the order the site presents them.
SECTIONS = [
    ("case", "案例", "cases.CaseIndexPage", "cases.CasePage"),
    ("policy", "政策", "policies.PolicyIndexPage", "policies.PolicyPage"),
    ("principle", "原则", "principles.PrincipleIndexPage", "principles.PrinciplePage"),
    ("course", "课程", "courses.CourseIndexPage", "courses.CoursePage"),
]
TYPE_LABELS = {key: label for key, label, _, _ in SECTIONS}


def page_model(type_key):
    for key, _, _, model_name in SECTIONS:
        if key == type_key:
            return apps.get_model(model_name)
    raise LookupError(type_key)


def index_model(type_key):
    for key, _, index_name, _ in SECTIONS:
        if key == type_key:
            return apps.get_model(index_name)
    raise LookupError(type_key)


def site_sections(with_counts=True):
    """Each section with its live index page (or None before content exists) and page count."""
    sections = []
    for key, label, index_name, model_name in SECTIONS:
        index_page = apps.get_model(index_name).objects.live().first()
        entry = {"type": key, "label": label, "index": index_page}
        if with_counts:
            entry["count"] = apps.get_model(model_name).objects.live().public().count()
        sections.append(entry)
    return sections
