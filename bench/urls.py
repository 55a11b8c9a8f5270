"""The portal's urls plus `bench/floor/` (the framework floor, benchmark only)."""

from django.urls import path

from config.urls import urlpatterns as portal_urlpatterns

from .floor import FloorView

urlpatterns = [path("bench/floor/", FloorView.as_view()), *portal_urlpatterns]
