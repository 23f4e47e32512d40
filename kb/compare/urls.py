from django.urls import path

from . import views

urlpatterns = [
    path("", views.compare, name="compare"),
    path("add/", views.add, name="compare_add"),
    path("remove/", views.remove, name="compare_remove"),
    path("clear/", views.clear, name="compare_clear"),
]
