import datetime

import pytest

from kb.vocabularies.models import Audience, Issue, Method
from tests.factories import (
    CasePageFactory,
    CourseModuleFactory,
    CoursePageFactory,
    PolicyPageFactory,
    PrinciplePageFactory,
    publish,
)

NOTES = "讲师请注意：这句备注绝不能出现在学员讲义中。"


@pytest.fixture
def linked_pages(indexes):
    return {
        "case": CasePageFactory(
            parent=indexes["case"], title="金华里新居民之家", summary="新居民融入的项目。"
        ),
        "principle": PrinciplePageFactory(
            parent=indexes["principle"], title="居民主体原则", summary="居民是社区的主人。"
        ),
        "policy": PolicyPageFactory(
            parent=indexes["policy"], title="项目化管理办法", summary="项目管理的规定。"
        ),
    }


@pytest.fixture
def course(indexes, linked_pages):
    """A published two-module course whose first module links a case, a principle and a policy."""
    page = CoursePageFactory(
        parent=indexes["course"],
        title="参与式培训",
        objectives="分析社区\n写项目书",
        day_start=datetime.time(9, 0),
        day_end=datetime.time(12, 0),
        lunch_start=None,
        planned_days=1,
    )
    page.audience = [Audience.objects.get(name="社区骨干")]
    page.issues = [Issue.objects.get(name="新居民融入")]
    first = CourseModuleFactory.build(
        sort_order=0,
        title="分析社区",
        minutes=150,
        exercise_minutes=90,
        method=Method.objects.get(name="需求调查"),
        questions="我们社区住着谁？",
        key_points="先看资源再看问题",
        instructor_notes=NOTES,
    )
    first.cases = [linked_pages["case"]]
    first.principles = [linked_pages["principle"]]
    first.policies = [linked_pages["policy"]]
    second = CourseModuleFactory.build(
        sort_order=1, title="撰写项目申请", minutes=45, objectives="写出一份申请书"
    )
    page.modules = [first, second]
    return publish(page)
