"""Time on tasks (projects, below us): a task's lines, their total, and its hours as a column of
task lists (registered for "projects:task_list" in TimesheetsConfig.ready)."""

from decimal import Decimal

from django.db.models import DecimalField, F, Func, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from projects.models import Task

from .models import TimesheetLine


def task_hours():
    """Hours of a task, its linked tickets' lines included (one subquery)."""
    lines = (
        TimesheetLine.objects.filter(Q(task=OuterRef("pk")) | Q(ticket__task=OuterRef("pk")))
        .order_by()
        .annotate(total=Func(F("hours"), function="SUM"))
        .values("total")
    )
    return Coalesce(Subquery(lines[:1]), Value(Decimal("0.00")), output_field=DecimalField())


def tasks_with_hours(tasks: QuerySet) -> QuerySet:
    """The tasks annotated with `total_hours`."""
    return tasks.annotate(total_hours=task_hours())


def task_timesheets(*, task: Task) -> QuerySet[TimesheetLine]:
    """Time on the task: its own lines and those of the tickets linked to it."""
    return (
        TimesheetLine.objects.filter(Q(task=task) | Q(ticket__task=task))
        .select_related("employee", "ticket", "invoice", "sale_line__order")
        .order_by("-date", "-id")
    )


def timesheets_total(lines) -> Decimal:
    return sum((line.hours for line in lines), Decimal("0.00"))
