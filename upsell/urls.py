"""Browser URLs of the upsell list and activities: mounted by config/urls.py under /sales/ in
the `sales` namespace (their names predate the upsell room)."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("upsell/", views.upsell_list, name="upsell_list"),
    path("upsell/<int:order_id>/add-hours/", views.upsell_add_hours, name="upsell_add_hours"),
    path("upsell/<int:order_id>/lock/", views.upsell_lock, name="upsell_lock"),
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/count/", views.activity_count, name="activity_count"),
    path("activities/<int:pk>/done/", views.activity_toggle, {"done": True}, name="activity_done"),
    path("activities/<int:pk>/undone/", views.activity_toggle, {"done": False}, name="activity_undone"),
]
