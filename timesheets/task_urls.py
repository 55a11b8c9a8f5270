"""URLs of the task page's time lines: mounted by config/urls.py under /projects/ in the
`projects` namespace (their names predate the move to timesheets)."""

from django.urls import path

from . import task_views as views

urlpatterns = [
    path("tasks/<int:pk>/timesheets/", views.task_timesheets, name="task_timesheets"),
    path(
        "tasks/<int:pk>/timesheets/<int:line_pk>/edit/", views.task_timesheet_edit, name="task_timesheet_edit"
    ),
    path(
        "tasks/<int:pk>/timesheets/<int:line_pk>/delete/",
        views.task_timesheet_delete,
        name="task_timesheet_delete",
    ),
]
