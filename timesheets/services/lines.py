"""Timesheet lines: log, change, delete, re-link to another order line (each one transaction,
audited). The checks they run are in `checks.py`."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from audit import services as audit
from core.errors import ConflictError, DomainError
from core.locks import lock_billing, lock_one, lock_rows
from core.models import User
from sales.services import order_lines_recompute

from ..approvals import ensure_unlocked_for
from ..models import TimesheetLine
from .checks import (
    DEFAULT,
    check_author,
    check_date,
    check_day_total,
    check_hours,
    check_sale_line,
    ensure_editable,
    load_sale_line,
    lock_orders,
    resolve,
    timesheet_day_lock,
)

UPDATABLE_FIELDS = {"date", "hours", "description", "employee", "task", "ticket", "sale_line", "project"}
# What the audit trail records of a line (before → after); the related rows are loaded with the
# line, so describing them costs no query.
AUDIT_FIELDS = ("date", "hours", "description", "employee", "project", "task", "ticket", "sale_line")
_AUDIT_RELATED = ("employee", "project", "task", "ticket", "sale_line__order")


def _page_of(line: TimesheetLine):
    """The page whose History card shows a line's events: its ticket, else its task."""
    return line.ticket if line.ticket_id else (line.task if line.task_id else None)


def timesheet_log(
    *,
    employee: User,
    date: date,
    hours: Decimal,
    user: User,
    description: str = "",
    project=None,
    task=None,
    ticket=None,
    sale_line=DEFAULT,
) -> TimesheetLine:
    """Create a line. DomainError (field-level) for bad hours, a ticket of a team without
    timesheets, an order line of another customer, a date too far ahead."""
    hours = check_hours(hours)
    day = check_date(date)
    if employee is None:
        raise DomainError("Choose the employee.", field="employee")
    with transaction.atomic():
        # What needs no lock first (the project and order line, who may log for whom and where):
        # the writers of one employee's day queue on the day's lock from it to the commit.
        project, line = resolve(project=project, task=task, ticket=ticket, sale_line=sale_line)
        check_author(user=user, employee=employee, ticket=ticket)
        check_day_total(employee=employee, day=day, hours=hours, lock=True)  # before any row lock
        timesheet = TimesheetLine(
            date=day,
            employee=employee,
            description=(description or "")[:500],
            hours=hours,
            project=project,
            task=task
            if task is not None
            else (ticket.task if ticket is not None and ticket.task_id else None),
            ticket=ticket,
            sale_line=line,
        )
        # The order line is recomputed last, after the audit event: the recompute locks the order
        # until the commit, and writers of the same line queue on that lock.
        timesheet._recomputed_by_service = True  # (for this save only)
        try:
            timesheet.save()
        finally:
            del timesheet._recomputed_by_service
        audit.record(
            actor=user,
            action="timesheet.create",
            obj=timesheet,
            parent=_page_of(timesheet),
            changes=audit.diff({}, audit.snapshot(timesheet, AUDIT_FIELDS)),
        )
        order_lines_recompute(line_ids=[timesheet.sale_line_id])
    return timesheet


def _lock_for_update(*, line: TimesheetLine, fields: dict, user: User) -> TimesheetLine:
    """The line, locked in the house order (the employee's day, then the old and new orders, then
    the line); refused when billed, changed meanwhile, or locked for approval."""
    old_order, old_employee_id, old_day = TimesheetLine.objects.filter(pk=line.pk).values_list(
        "sale_line__order_id", "employee_id", "date"
    ).first() or (None, None, None)
    if {"hours", "date", "employee"} & set(fields) and old_day is not None:
        day = check_date(fields["date"]) if "date" in fields else old_day
        employee_id = getattr(fields.get("employee"), "pk", None) or old_employee_id
        timesheet_day_lock(employee_id, day)  # before any row lock
    lock_orders([old_order, getattr(fields.get("sale_line"), "order_id", None)])
    current = lock_one(TimesheetLine.objects.select_related("invoice", *_AUDIT_RELATED), line.pk)
    ensure_editable(current)
    if (current.employee_id, current.date) != (old_employee_id, old_day):
        raise ConflictError(
            "This timesheet line was changed meanwhile: reload it and try again.",
            code="timesheet_changed",
        )
    ensure_unlocked_for(line=current, user=user)
    return current


def _apply_day_fields(current: TimesheetLine, fields: dict) -> None:
    """Hours, date, description and employee, checked (the day's 24 h cap too)."""
    if "hours" in fields:
        current.hours = check_hours(fields["hours"])
    if "date" in fields:
        current.date = check_date(fields["date"])
    if "description" in fields:
        current.description = (fields["description"] or "")[:500]
    if "employee" in fields:
        if fields["employee"] is None:
            raise DomainError("Choose the employee.", field="employee")
        current.employee = fields["employee"]
    if {"hours", "date", "employee"} & set(fields):
        check_day_total(
            employee=current.employee, day=current.date, hours=current.hours, exclude_pk=current.pk
        )


def _apply_links(current: TimesheetLine, fields: dict, user: User) -> None:
    """Ticket, task, project and order line. A new ticket or task re-derives the project and
    the order line (unless given); otherwise an unchanged order line stays as it is."""
    relinked = bool({"ticket", "task"} & set(fields)) and (
        getattr(fields.get("ticket", current.ticket), "pk", None) != current.ticket_id
        or getattr(fields.get("task", current.task), "pk", None) != current.task_id
    )
    ticket = fields.get("ticket", current.ticket)
    task = fields.get("task", current.task if not relinked or "task" in fields else None)
    project = fields.get("project", None if relinked else current.project)
    if "sale_line" in fields:
        sale_line, keep = fields["sale_line"], DEFAULT
    elif relinked:
        sale_line, keep = DEFAULT, DEFAULT
    else:
        sale_line, keep = DEFAULT, current.sale_line
    if project is None and not relinked:
        project = current.project
    current.project, current.sale_line = resolve(
        project=project, task=task, ticket=ticket, sale_line=sale_line, current_sale_line=keep
    )
    if "employee" in fields or relinked:
        check_author(user=user, employee=current.employee, ticket=ticket if relinked else None)
    current.ticket = ticket
    current.task = task


def timesheet_update(*, line: TimesheetLine, user: User, **fields) -> TimesheetLine:
    """Change date/hours/description/employee/task/ticket/sale_line. ConflictError when billed."""
    unknown = set(fields) - UPDATABLE_FIELDS
    if unknown:
        raise DomainError(f"These fields cannot be changed: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        current = _lock_for_update(line=line, fields=fields, user=user)
        before = audit.snapshot(current, AUDIT_FIELDS)
        old_hours, old_sale_line_id = current.hours, current.sale_line_id
        _apply_day_fields(current, fields)
        _apply_links(current, fields, user)
        if current.hours != old_hours or current.sale_line_id != old_sale_line_id:
            current.billed_hours = None  # rounded again by the rule in force now (it is not billed)
        current.save()  # receivers recompute the old and the new order line
        changes = audit.diff(before, audit.snapshot(current, AUDIT_FIELDS))
        if changes:
            audit.record(
                actor=user, action="timesheet.update", obj=current, parent=_page_of(current), changes=changes
            )
    for f in TimesheetLine._meta.concrete_fields:
        setattr(line, f.attname, getattr(current, f.attname))
    return line


def timesheet_delete(*, line: TimesheetLine, user: User) -> None:
    """Delete a line. ConflictError when linked to a live invoice."""
    with transaction.atomic():
        order_id = (
            TimesheetLine.objects.filter(pk=line.pk).values_list("sale_line__order_id", flat=True).first()
        )
        lock_orders([order_id])
        found = lock_rows(TimesheetLine.objects.select_related("invoice", *_AUDIT_RELATED).filter(pk=line.pk))
        if not found:
            return
        current = found[0]
        ensure_editable(current)
        ensure_unlocked_for(line=current, user=user)
        audit.record(  # before the delete: the event names the line's id
            actor=user,
            action="timesheet.delete",
            obj=current,
            parent=_page_of(current),
            changes=audit.diff(audit.snapshot(current, AUDIT_FIELDS), {}),
        )
        current.delete()  # the post_delete receiver recomputes the order line


def timesheets_relink_sale_line(*, ticket=None, task=None, sale_line, user: User) -> int:
    """Move the not yet billed lines of a ticket (or task) to another order line (or None).
    Returns how many moved. Recomputes old and new lines."""
    if (ticket is None) == (task is None):
        raise DomainError("Give a ticket or a task.")
    with transaction.atomic():
        if sale_line is not None:
            loaded = load_sale_line(sale_line)
            customer_id = ticket.customer_id if ticket is not None else task.customer_id
            check_sale_line(loaded, customer_id=customer_id)
        rows = TimesheetLine.objects.filter(invoice__isnull=True)
        rows = rows.filter(ticket=ticket) if ticket is not None else rows.filter(task=task)
        if sale_line is not None:
            rows = rows.exclude(sale_line=sale_line)
        else:
            rows = rows.filter(sale_line__isnull=False)
        old = list(rows.values_list("sale_line_id", "sale_line__order_id").distinct())
        lock_orders([o for _, o in old] + [getattr(sale_line, "order_id", None)])
        ids = [row.pk for row in lock_billing(timesheet_lines=rows.only("pk")).timesheet_lines]
        if not ids:
            return 0
        moved = TimesheetLine.objects.filter(pk__in=ids, invoice__isnull=True).update(
            sale_line=sale_line, updated_at=timezone.now()
        )
        order_lines_recompute(line_ids=[i for i, _ in old] + [getattr(sale_line, "pk", None)])
        audit.record(
            actor=user,
            action="timesheets.relink",
            obj=ticket if ticket is not None else task,
            moved=moved,
            sale_line=getattr(sale_line, "pk", None),
        )
    return moved
