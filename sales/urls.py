from django.urls import path

from . import line_views, search_views, views

app_name = "sales"

urlpatterns: list = [
    path("customers/", views.customer_list, name="customer_list"),
    path("customers/search/", search_views.customer_search, name="customer_search"),
    path("customers/new/", views.customer_create, name="customer_create"),
    path("customers/<int:pk>/", views.customer_detail, name="customer_detail"),
    path("customers/<int:pk>/edit/", views.customer_edit, name="customer_edit"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/new/", views.order_create, name="order_create"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/confirm/", views.order_confirm, name="order_confirm"),
    path("orders/<int:pk>/lock/", views.order_lock, name="order_lock"),
    path("orders/<int:pk>/cancel/", views.order_cancel, name="order_cancel"),
    path("orders/<int:pk>/lines/", line_views.order_lines, name="order_lines"),
    path("orders/<int:pk>/lines/form/", line_views.order_line_form, name="order_line_form"),
    path("orders/<int:pk>/lines/product/", line_views.order_line_product, name="order_line_product"),
    path("orders/<int:pk>/lines/compute/", line_views.order_line_compute, name="order_line_compute"),
    path("orders/<int:pk>/lines/save/", line_views.order_line_save, name="order_line_save"),
    path(
        "orders/<int:pk>/lines/<int:line_id>/delete/", line_views.order_line_delete, name="order_line_delete"
    ),
]
