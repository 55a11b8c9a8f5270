from django.urls import path

from . import approval_views, views, week_views

app_name = "timesheets"

urlpatterns = [
    path("", views.line_list, name="line_list"),
    path("week/", week_views.week, name="week"),
    path("submit-week/", approval_views.week_submit, name="week_submit"),
    path("approvals/", approval_views.approvals, name="approvals"),
    path("approvals/count/", approval_views.approvals_count, name="approvals_count"),
    path(
        "approvals/<int:employee_id>/<str:action>/",
        approval_views.week_review,
        name="week_review",
    ),
    path("timer/widget/", views.timer_widget, name="timer_widget"),
    path("timer/panel/", views.timer_panel, name="timer_panel"),
    path("timer/start/", views.timer_start, name="timer_start"),
    path("timer/<int:timer_id>/pause/", views.timer_pause, name="timer_pause"),
    path("timer/<int:timer_id>/resume/", views.timer_resume, name="timer_resume"),
    path("timer/<int:timer_id>/stop/", views.timer_stop, name="timer_stop"),
    path("timer/<int:timer_id>/discard/", views.timer_discard, name="timer_discard"),
]
