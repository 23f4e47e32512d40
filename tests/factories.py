"""Factories for pages and vocabulary terms: each test builds only the pages it needs."""

import factory
import wagtail_factories

from kb.cases.models import CasePage
from kb.courses.models import CourseModule, CoursePage
from kb.policies.models import PolicyPage
from kb.principles.models import PrinciplePage
from kb.vocabularies.models import Issue


class IssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Issue
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"议题{n}")


class CasePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = CasePage

    title = factory.Sequence(lambda n: f"测试案例{n}")
    summary = "一个用于测试的案例摘要。"


class PolicyPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = PolicyPage

    title = factory.Sequence(lambda n: f"测试政策{n}")


class PrinciplePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = PrinciplePage

    title = factory.Sequence(lambda n: f"测试原则{n}")
    group = "测试原则体系"


class CoursePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = CoursePage

    title = factory.Sequence(lambda n: f"测试课程{n}")


class CourseModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseModule

    title = factory.Sequence(lambda n: f"单元{n}")
    minutes = 60


def publish(page):
    """Publish the page's current in-memory state, relations included, as an editor would."""
    page.save_revision().publish()
    page.refresh_from_db()
    return page
