"""Approval of timesheet weeks (SPEC Time policy), on projects that require it.

An employee submits a week (Monday to Sunday): their `draft` and `rejected` lines of approval
projects that week become `submitted` and are locked for them. An approver (the admin role, or a
user holding `timesheets.approve_timesheets`) approves the week (post-paid order lines then deliver
and bill those hours) or rejects it with a reason (the lines unlock for their author).
"""

import datetime

from django.db import transaction
from django.db.models import Count, Min, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from audit import services as audit
from core import policy
from core.errors import ConflictError, DomainError
from core.locks import lock_billing
from core.models import User
from sales.models import Order
from sales.services import order_lines_recompute

from .models import ApprovalState, TimesheetLine

APPROVE_PERMISSION = "timesheets.approve_timesheets"
LOCKED_FOR_AUTHOR = (ApprovalState.SUBMITTED, ApprovalState.APPROVED)


def may_approve_timesheets(user) -> bool:
    """The services' own guard; the rule is core.policy's "timesheet.approve" (timesheets/rules.py)."""
    return policy.may(user, "timesheet.approve")


def week_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """(Monday, Sunday) of the week of `day`."""
    monday = day - datetime.timedelta(days=day.weekday())
    return monday, monday + datetime.timedelta(days=6)


def ensure_unlocked_for(*, line: TimesheetLine, user) -> None:
    """Submitted and approved lines are locked for their author (ConflictError)."""
    if line.approval_state in LOCKED_FOR_AUTHOR and user is not None and user.pk == line.employee_id:
        raise ConflictError(
            f"This line is {line.get_approval_state_display().lower()} for approval: it is locked "
            "(ask an approver to reject the week to change it).",
            code="timesheet_locked",
        )


def _week_lines(*, employee: User, week: datetime.date, states):
    monday, sunday = week_of(week)
    return TimesheetLine.objects.filter(
        employee=employee, date__gte=monday, date__lte=sunday, approval_state__in=states
    )


def _lock_and_move(*, lines, to: str, user, reason: str = "") -> int:
    """Lock the lines' orders (house order: orders first), move the lines, recompute their
    order lines. Returns how many lines moved."""
    order_ids = sorted({i for i in lines.values_list("sale_line__order_id", flat=True) if i})
    locks = lock_billing(
        orders=Order.objects.filter(pk__in=order_ids).only("pk") if order_ids else None,
        timesheet_lines=lines.only("pk"),
    )
    ids = [line.pk for line in locks.timesheet_lines]
    if not ids:
        return 0
    changes = {"approval_state": to, "updated_at": timezone.now()}
    if to in (ApprovalState.APPROVED, ApprovalState.REJECTED):
        changes.update(reviewed_by=user, reviewed_at=timezone.now(), approval_reason=reason)
    moved = TimesheetLine.objects.filter(pk__in=ids).update(**changes)
    sale_line_ids = TimesheetLine.objects.filter(pk__in=ids).values_list("sale_line_id", flat=True)
    order_lines_recompute(line_ids=list(sale_line_ids))
    return moved


def timesheet_week_submit(*, employee: User, week: datetime.date, user: User) -> int:
    """Submit the employee's week; DomainError when it has nothing to submit."""
    if user.pk != employee.pk and not may_approve_timesheets(user):
        raise ConflictError("You can only submit your own timesheets.", code="not_author")
    with transaction.atomic():
        lines = _week_lines(
            employee=employee, week=week, states=(ApprovalState.DRAFT, ApprovalState.REJECTED)
        )
        moved = _lock_and_move(lines=lines, to=ApprovalState.SUBMITTED, user=user)
        if not moved:
            raise DomainError(
                f"Nothing to submit in the week of {week_of(week)[0]}: no line waits for approval.",
                field="week",
            )
        audit.record(actor=user, action="timesheets.submit_week", obj=employee, week=str(week_of(week)[0]))
    return moved


def _review(*, employee, week, user, to, reason="") -> int:
    if not may_approve_timesheets(user):
        raise ConflictError("Only approvers approve or reject timesheets.", code="not_approver")
    with transaction.atomic():
        lines = _week_lines(employee=employee, week=week, states=(ApprovalState.SUBMITTED,))
        moved = _lock_and_move(lines=lines, to=to, user=user, reason=reason)
        if not moved:
            raise ConflictError(f"No submitted lines of {employee} in the week of {week_of(week)[0]}.")
        audit.record(
            actor=user,
            action=f"timesheets.{to}_week",
            obj=employee,
            week=str(week_of(week)[0]),
            reason=reason,
        )
    return moved


def timesheet_week_approve(*, employee: User, week: datetime.date, user: User) -> int:
    return _review(employee=employee, week=week, user=user, to=ApprovalState.APPROVED)


def timesheet_week_reject(*, employee: User, week: datetime.date, user: User, reason: str) -> int:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Give the reason of the rejection.", field="reason")
    return _review(employee=employee, week=week, user=user, to=ApprovalState.REJECTED, reason=reason[:500])


def weeks_waiting_approval() -> list[dict]:
    """Submitted weeks: employee, week (Monday), number of lines, hours, oldest first."""
    rows = (
        TimesheetLine.objects.filter(approval_state=ApprovalState.SUBMITTED)
        .annotate(week=TruncWeek("date"))
        .values("employee", "week")
        .annotate(lines=Count("id"), hours=Sum("hours"), first=Min("date"))
        .order_by("week", "employee")
    )
    users = User.objects.in_bulk({row["employee"] for row in rows})
    return [{**row, "employee": users[row["employee"]]} for row in rows]


def weeks_waiting_count() -> int:
    return (
        TimesheetLine.objects.filter(approval_state=ApprovalState.SUBMITTED)
        .annotate(week=TruncWeek("date"))
        .values("employee", "week")
        .distinct()
        .count()
    )
