"""Declaring the module relations once (migration 0006) keeps every link of existing modules.

The test writes a library module and a course whose module links a case, a principle, a policy and
a method, unapplies 0006 and applies it again with Django's MigrationExecutor, and reads the links
back at each step: from the historical models before, from the current models and from the
course's published revision after.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kb.courses.models import CourseModule, ModuleTemplate
from kb.vocabularies.models import Method
from tests.factories import (
    CasePageFactory,
    CourseModuleFactory,
    CoursePageFactory,
    PolicyPageFactory,
    PrinciplePageFactory,
    publish,
)

BEFORE = ("courses", "0005_alter_coursepage_body")
AFTER = ("courses", "0006_module_relations_declared_once")
RELATIONS = ("cases", "principles", "policies")


def links(model, pk):
    """{relation: sorted target ids} and the method id of one module, read through `model`."""
    module = model.objects.get(pk=pk)
    return {name: sorted(getattr(module, name).values_list("pk", flat=True)) for name in RELATIONS} | {
        "method": module.method_id
    }


def migrate_to(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_links_of_library_and_course_modules_survive_the_migration(indexes):
    case = CasePageFactory(parent=indexes["case"], title="迁移测试案例")
    principle = PrinciplePageFactory(parent=indexes["principle"], title="迁移测试原则")
    policy = PolicyPageFactory(parent=indexes["policy"], title="迁移测试政策")
    method = Method.objects.order_by("pk").first()

    template = ModuleTemplate.objects.create(title="迁移测试模块", minutes=90, method=method)
    template.cases.set([case])
    template.principles.set([principle])
    template.policies.set([policy])
    template.save()

    course = CoursePageFactory(parent=indexes["course"], title="迁移测试课程")
    module = CourseModuleFactory.build(title="第一单元", minutes=60, method=method, library_module=template)
    module.cases = [case]
    module.principles = [principle]
    module.policies = [policy]
    course.modules = [module]
    course = publish(course)
    module = CourseModule.objects.get(page=course)

    expected = {
        "cases": [case.pk],
        "principles": [principle.pk],
        "policies": [policy.pk],
        "method": method.pk,
    }
    assert links(ModuleTemplate, template.pk) == expected
    assert links(CourseModule, module.pk) == expected

    try:
        old = migrate_to(BEFORE)
        assert links(old.get_model("courses", "ModuleTemplate"), template.pk) == expected
        assert links(old.get_model("courses", "CourseModule"), module.pk) == expected
    finally:
        migrate_to(AFTER)

    assert links(ModuleTemplate, template.pk) == expected
    assert links(CourseModule, module.pk) == expected
    assert CourseModule.objects.get(pk=module.pk).library_module_id == template.pk
    assert list(case.coursemodules.all()) == [CourseModule.objects.get(pk=module.pk)]
    assert list(case.moduletemplates.all()) == [template]
    [revised] = course.get_latest_revision_as_object().modules.all()
    assert [page.pk for page in revised.cases.all()] == [case.pk]
