"""A course's modules in Wagtail's API v2, as participants see them."""

from rest_framework import serializers

from kb.core.api_fields import LinkedPages


class CourseModules(serializers.Field):
    """A course's modules in order, as participants see them: never the instructor notes."""

    def to_representation(self, manager):
        return [
            {
                "title": module.title,
                "minutes": module.minutes,
                "exercise_minutes": module.exercise_minutes,
                "questions": module.questions,
                "objectives": module.objectives,
                "key_points": module.key_points,
                "activity": module.activity,
                "method": module.method.name if module.method else None,
                "cases": LinkedPages().to_representation(module.cases),
                "principles": LinkedPages().to_representation(module.principles),
                "policies": LinkedPages().to_representation(module.policies),
            }
            for module in manager.all()
        ]
