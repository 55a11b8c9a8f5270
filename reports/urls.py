from django.urls import path

from . import views
from .pages import PAGES

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    *[path(f"{slug}/", views.report_view(slug), name=slug) for slug in PAGES],
]
