from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "kb.courses"
    label = "courses"
    verbose_name = "培训课程"
