"""URLs of batch invoicing: mounted by config/urls.py under /projects/ in the `projects`
namespace (their names predate the move to invoicing)."""

from django.urls import path

from . import batch_views as views

urlpatterns = [
    path("to-invoice/", views.to_invoice, name="to_invoice"),
    path("to-invoice/jobs/<str:job_id>/", views.invoice_job, name="invoice_job"),
    path("to-invoice/jobs/<str:job_id>/status/", views.invoice_job_status, name="invoice_job_status"),
]
