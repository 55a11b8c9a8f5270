"""The "My week" page: the signed-in employee's timesheet of one week as a grid to type in.

The week is in the URL (`?week=2026-11-30`, any day of it; default this week); rows added by
hand or copied from last week are in the URL too (`&add=ticket-12`), until hours make them real.
Saving goes through `week_services.timesheet_week_save` (one transaction, an error per cell);
hours logged past a prepaid block or a post-paid estimate answer with a warning, not a refusal.
"""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from core import policy

from .approvals import LOCKED_FOR_AUTHOR, week_of
from .models import ApprovalState
from .selectors import order_lines_past_sold_hours
from .week_selectors import (
    CELL_NAME,
    ROW_KEY,
    parse_week,
    tickets_and_tasks_to_log_on,
    timesheet_week_grid,
    timesheet_week_row_keys,
)
from .week_services import WeekNotSaved, timesheet_week_save

SUBMITTABLE = (ApprovalState.DRAFT, ApprovalState.REJECTED)


def week_url(monday: datetime.date, *, keys=(), focus: str = "", copy: bool = False) -> str:
    params = [("week", monday.isoformat())] + [("add", key) for key in keys]
    if focus:
        params.append(("focus", focus))
    if copy:
        params.append(("copy", "1"))
    return f"{reverse('timesheets:week')}?{urlencode(params)}"


def _wanted_keys(source) -> list[str]:
    return [key for key in dict.fromkeys(source.getlist("add") + source.getlist("row")) if ROW_KEY.match(key)]


def _render(request, grid, *, keys, focus="", status=200):
    tickets, tasks = tickets_and_tasks_to_log_on(user=request.user)
    shown = {row.key for row in grid.rows}
    empty_keys = [row.key for row in grid.rows if all(cell.hours is None for cell in row.cells)]
    context = {
        "grid": grid,
        "today": timezone.localdate(),
        "this_week": week_of(timezone.localdate())[0],
        "previous_url": week_url(grid.previous),
        "next_url": week_url(grid.next),
        "copy_url": week_url(grid.monday, keys=keys, copy=True),
        "empty_keys": empty_keys,
        "ticket_choices": [c for c in tickets if c[0] not in shown],
        "task_choices": [c for c in tasks if c[0] not in shown],
        "focus": focus,
        # Lines of approval projects waiting to be submitted (SPEC Time policy): offer the
        # submission of the week right here (the approval service, as on the timesheets list).
        "can_submit": any(
            line.approval_state in SUBMITTABLE
            for row in grid.rows
            for cell in row.cells
            for line in cell.lines
        ),
        "has_locked": any(
            line.approval_state in LOCKED_FOR_AUTHOR
            for row in grid.rows
            for cell in row.cells
            for line in cell.lines
        ),
    }
    return render(request, "timesheets/week.html", context, status=status)


@policy.permission_required("timesheet.log")
@require_http_methods(["GET", "POST"])
def week(request):
    source = request.POST if request.method == "POST" else request.GET
    monday = parse_week(source.get("week")) or week_of(timezone.localdate())[0]
    keys = _wanted_keys(source)
    focus = source.get("focus", "")
    if request.method == "GET" and request.GET.get("copy"):
        last_week = timesheet_week_row_keys(employee=request.user, monday=monday - datetime.timedelta(days=7))
        keys = list(dict.fromkeys([*keys, *last_week]))
        if not last_week:
            messages.info(request, "Last week has no rows to copy.")
    if request.method == "GET":
        grid = timesheet_week_grid(employee=request.user, monday=monday, extra_keys=keys)
        return _render(request, grid, keys=keys, focus=focus)

    values = {name: value for name, value in request.POST.items() if CELL_NAME.match(name)}
    try:
        saved = timesheet_week_save(employee=request.user, user=request.user, monday=monday, values=values)
    except WeekNotSaved as refused:
        typed_rows = [f"{m[1]}-{m[2]}" for m in map(CELL_NAME.match, values)]
        keys = list(dict.fromkeys([*keys, *typed_rows]))
        grid = timesheet_week_grid(employee=request.user, monday=monday, extra_keys=keys)
        for name, message in refused.errors.items():
            cell = grid.cell(name)
            if cell is not None:
                cell.error = message
                cell.value = values.get(name, cell.value)
        for name, value in values.items():
            if (cell := grid.cell(name)) is not None and not cell.locked:
                cell.value = value  # what was typed stays in the grid
        count = len(refused.errors)
        messages.error(request, f"Nothing saved: {count} cell{'s' if count != 1 else ''} to correct.")
        return _render(request, grid, keys=keys, focus=next(iter(refused.errors)), status=400)
    if saved.changed:
        plural = "s" if saved.changed != 1 else ""
        messages.success(request, f"Week saved: {saved.changed} cell{plural} changed.")
    else:
        messages.info(request, "Nothing changed.")
    for warning in order_lines_past_sold_hours(line_ids=saved.sale_line_ids):
        messages.warning(request, warning)
    return redirect(week_url(monday, keys=keys, focus=focus))
