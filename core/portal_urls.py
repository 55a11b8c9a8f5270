from django.urls import path

from . import portal_views

app_name = "portal"

urlpatterns = [
    path("", portal_views.home, name="home"),
    path("invoices/<int:pk>/pdf/", portal_views.invoice_pdf, name="invoice_pdf"),
]
