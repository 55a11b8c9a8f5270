"""Browser screens of timesheet approval: submit a week (authors), the weeks waiting for approval
with approve / reject (approvers), and the header count of waiting weeks."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core import policy
from core.errors import DomainError
from core.form_fields import parse_site_date
from core.models import User

from .approvals import (
    timesheet_week_approve,
    timesheet_week_reject,
    timesheet_week_submit,
    weeks_waiting_approval,
    weeks_waiting_count,
)


def _day(value) -> datetime.date | None:
    return parse_site_date(value or "")


def _approver(request) -> None:
    policy.check(request.user, "timesheet.approve")


@require_POST
@policy.permission_required("timesheet.log")
def week_submit(request):
    week = _day(request.POST.get("week"))
    if week is None:
        messages.error(request, "Choose a day of the week to submit.")
    else:
        try:
            count = timesheet_week_submit(employee=request.user, week=week, user=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{count} line(s) submitted for approval.")
    if request.POST.get("from") == "week" and week is not None:  # submitted from "My week"
        return redirect(f"{reverse('timesheets:week')}?week={week.isoformat()}")
    return redirect("timesheets:line_list")


@login_required
def approvals(request):
    _approver(request)
    return render(request, "timesheets/approvals.html", {"weeks": weeks_waiting_approval()})


@require_POST
@login_required
def week_review(request, employee_id: int, action: str):
    _approver(request)
    if action not in ("approve", "reject"):
        raise Http404("Unknown action.")
    employee = get_object_or_404(User, pk=employee_id)
    week = _day(request.POST.get("week"))
    if week is None:
        messages.error(request, "Unknown week.")
        return redirect("timesheets:approvals")
    try:
        if action == "approve":
            count = timesheet_week_approve(employee=employee, week=week, user=request.user)
            messages.success(request, f"{count} line(s) of {employee} approved.")
        else:
            count = timesheet_week_reject(
                employee=employee, week=week, user=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, f"{count} line(s) of {employee} rejected.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("timesheets:approvals")


@login_required
def approvals_count(request):
    """The header badge (htmx): the number of weeks waiting, for approvers; empty for others."""
    if not policy.may(request.user, "timesheet.approve"):
        return HttpResponse("")
    return render(request, "timesheets/partials/approvals_badge.html", {"count": weeks_waiting_count()})
