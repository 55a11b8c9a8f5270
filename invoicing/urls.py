from django.urls import path

from . import credit_note_views, views

app_name = "invoicing"

urlpatterns: list = [
    path("invoices/", views.invoice_list, name="invoice_list"),
    path("invoices/export.csv", views.invoice_export, name="invoice_export"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/post/", views.invoice_post, name="invoice_post"),
    path("invoices/<int:pk>/cancel/", views.invoice_cancel, name="invoice_cancel"),
    path("invoices/<int:pk>/credit-note/", views.invoice_credit_note, name="invoice_credit_note"),
    path(
        "invoices/<int:pk>/credit-note/partial/",
        credit_note_views.invoice_credit_note_partial,
        name="invoice_credit_note_partial",
    ),
    path("invoices/<int:pk>/pay/", views.invoice_pay, name="invoice_pay"),
    path("invoices/<int:pk>/send/", views.invoice_send, name="invoice_send"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:pk>/ubl/", views.invoice_ubl, name="invoice_ubl"),
    path("invoices/<int:pk>/einvoice/send/", views.invoice_send_einvoice, name="invoice_send_einvoice"),
    path("invoices/<int:pk>/pdf-status/", views.invoice_pdf_status, name="invoice_pdf_status"),
    path("orders/<int:pk>/invoice/", views.order_invoice_create, name="order_invoice_create"),
]
