from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import staff_views, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("tickets/new/", views.ticket_create, name="ticket_create"),
    path("tickets/<int:ticket_id>/", views.ticket_detail, name="ticket_detail"),
    path("tickets/<int:ticket_id>/reply/", views.ticket_reply, name="ticket_reply"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:pk>/ubl/", views.invoice_ubl, name="invoice_ubl"),
    path("customers/<int:customer_id>/users/", staff_views.customer_users, name="customer_users"),
    path(
        "customers/<int:customer_id>/users/<int:user_id>/invite/",
        staff_views.customer_user_invite,
        name="customer_user_invite",
    ),
    path(
        "customers/<int:customer_id>/users/<int:user_id>/deactivate/",
        staff_views.customer_user_deactivate,
        name="customer_user_deactivate",
    ),
    path(
        "set-password/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="portal/set_password.html",
            success_url=reverse_lazy("portal:set_password_done"),
        ),
        name="set_password",
    ),
    path(
        "set-password/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="portal/set_password_done.html"),
        name="set_password_done",
    ),
]
