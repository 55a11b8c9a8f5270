"""Django admin for timesheet lines and timers: read-only, since writes go through the
timesheets services (hours rules, billing links, delivered quantities kept current)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Timer, TimesheetLine


@admin.register(TimesheetLine)
class TimesheetLineAdmin(ReadOnlyAdmin):
    list_display = (
        "date",
        "employee",
        "hours",
        "project",
        "task",
        "ticket",
        "sale_line",
        "invoice",
        "description",
    )
    list_filter = ("date", "project", "employee")
    search_fields = ("description", "employee__username", "project__name", "ticket__title", "task__title")
    date_hierarchy = "date"
    list_select_related = (
        "employee",
        "project",
        "task",
        "ticket",
        "sale_line__order",
        "sale_line__product",
        "invoice",
    )


@admin.register(Timer)
class TimerAdmin(ReadOnlyAdmin):
    list_display = ("user", "state", "ticket", "task", "running_since", "accumulated_seconds")
    list_filter = ("state",)
    search_fields = ("user__username", "ticket__title", "task__title")
    list_select_related = ("user", "ticket", "task")
