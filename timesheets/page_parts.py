"""What timesheets adds to other apps' pages (registered in TimesheetsConfig.ready)."""

from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.urls import reverse

from .forms import TimesheetForm
from .models import TimesheetLine
from .task_selectors import task_timesheets, timesheets_total


def order_timesheets(*, order, **_context) -> dict:
    """The order page (sales): the latest time lines on the order, their count and total."""
    timesheets = TimesheetLine.objects.filter(sale_line__order=order)
    timesheet_total = timesheets.aggregate(total=Coalesce(Sum("hours"), Decimal("0.00")))["total"]
    return {
        "timesheets": list(
            timesheets.select_related("employee", "invoice", "sale_line").order_by("-date", "-id")[:25]
        ),
        "timesheet_count": timesheets.count(),
        "timesheet_total": timesheet_total,
        "timesheets_url": reverse("timesheets:line_list"),
    }


def task_worksheet_timesheets(*, task, **_context) -> dict:
    """The worksheet of a task (projects): its time lines and their total."""
    lines = list(task_timesheets(task=task))
    return {"lines": lines, "total_hours": timesheets_total(lines)}


def task_page_timesheets(*, request, task, **_context) -> dict:
    """The task page's Timesheets card (the lines and an empty form) and its timer."""
    return {
        **_timesheets_context(task, form=_new_timesheet_form(request)),
        "timesheets_template": "projects/partials/task_timesheets.html",
        "timer_template": "timesheets/partials/timer.html",
    }


def _timesheets_context(task, *, form=None, edit_line=None, edit_form=None, error="", past_sold=()):
    lines = list(task_timesheets(task=task))
    return {
        "task": task,
        "lines": lines,
        "total_hours": timesheets_total(lines),
        "ts_form": form,
        "edit_line": edit_line,
        "edit_form": edit_form,
        "ts_error": error,
        "past_sold": past_sold,  # just logged past a prepaid block or a post-paid estimate
    }


def _new_timesheet_form(request):
    return TimesheetForm(initial={"employee": request.user.pk})
