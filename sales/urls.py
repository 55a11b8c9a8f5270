from django.urls import path  # noqa: F401

from .upsell_urls import urlpatterns as upsell_urlpatterns

app_name = "sales"

urlpatterns: list = [
    *upsell_urlpatterns,
]
