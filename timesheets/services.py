"""Timesheet writes. CONTRACT: other apps code against these signatures.

Rules (SPEC Timesheets): hours in (0, 24], two decimals, one employee's lines of one date total
at most 24 h (checked under an advisory lock per employee and day); project required (derived from the
ticket's team or the task when not given); default order line = ticket's item, else task's,
else project's; a line linked to a live invoice (draft/posted) cannot be changed or deleted.

Delivered quantities follow through the receivers in `timesheets.signals` (one set-based
recompute per save/delete); the bulk re-link below calls the recompute itself.
"""

import datetime
from datetime import date
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from audit import services as audit
from core.errors import ConflictError, DomainError
from core.locks import lock_billing, lock_one, lock_rows
from core.models import User
from core.money import to_decimal
from sales.models import Order, OrderLine, UomCategory
from sales.services import CONFIRMED_STATES, order_lines_recompute

from .approvals import ensure_unlocked_for
from .models import TimesheetLine
from .selectors import user_may_log_for, user_may_log_on_ticket

DEFAULT = object()  # "use the default order line" (distinct from None = not billable)

MAX_HOURS = Decimal("24")
MAX_HOURS_PER_DAY = Decimal("24")
# Namespace of the advisory locks on (employee, day), in the key's top 16 bits.
_DAY_LOCK_NAMESPACE = 0x7153
UPDATABLE_FIELDS = {"date", "hours", "description", "employee", "task", "ticket", "sale_line", "project"}
# What the audit trail records of a line (before → after); the related rows are loaded with the
# line, so describing them costs no query.
AUDIT_FIELDS = ("date", "hours", "description", "employee", "project", "task", "ticket", "sale_line")
_AUDIT_RELATED = ("employee", "project", "task", "ticket", "sale_line__order")


# --- validation ------------------------------------------------------------------------------


def _check_hours(hours) -> Decimal:
    try:
        value = to_decimal(hours)
    except (TypeError, InvalidOperation, ValueError):
        raise DomainError("Enter the hours as a number, e.g. 1.50.", field="hours") from None
    if not value.is_finite():
        raise DomainError("Enter the hours as a number, e.g. 1.50.", field="hours")
    if value <= 0:
        raise DomainError("Hours must be more than 0.", field="hours")
    if value > MAX_HOURS:
        raise DomainError("A timesheet line cannot exceed 24 hours.", field="hours")
    if value != value.quantize(Decimal("0.01")):
        raise DomainError("Use at most two decimals for the hours (e.g. 1.25).", field="hours")
    return value.quantize(Decimal("0.01"))


def _check_date(value) -> date:
    if not isinstance(value, date) or isinstance(value, datetime.datetime):
        raise DomainError("Enter a valid date.", field="date")
    days_ahead = getattr(settings, "TIMESHEET_MAX_DAYS_AHEAD", 7)
    limit = timezone.localdate() + datetime.timedelta(days=days_ahead)
    if value > limit:
        raise DomainError(
            f"The date is too far ahead: time can be logged at most {days_ahead} days in advance.",
            field="date",
        )
    return value


def _team_of(ticket):
    """The ticket's team (with its project), in one query unless already loaded."""
    if "team" in ticket._state.fields_cache:
        return ticket.team
    team = apps.get_model("helpdesk", "Team")  # helpdesk depends on timesheets, not the reverse
    return team.objects.select_related("project").get(pk=ticket.team_id)


def _load_sale_line(sale_line) -> OrderLine:
    """The order line with what the checks need (order, unit category), in one query."""
    return OrderLine.objects.select_related("order__customer", "product", "uom__category").get(
        pk=sale_line.pk
    )


def _check_sale_line(line: OrderLine, *, customer_id) -> None:
    order = line.order
    if line.is_downpayment:
        raise DomainError("Time cannot be logged on a down-payment line.", field="sale_line")
    if order.state not in CONFIRMED_STATES:
        raise DomainError(
            f"Order {order.name} is not confirmed: time can only be logged on confirmed orders.",
            field="sale_line",
        )
    if customer_id and order.customer_id != customer_id:
        raise DomainError(
            f"Order line {order.name} belongs to another customer.", field="sale_line", code="customer"
        )
    if line.uom.category.kind != UomCategory.Kind.TIME:
        raise DomainError(
            f"{line} is sold in {line.uom.name}, not in a time unit: time cannot be logged on it.",
            field="sale_line",
        )


def _resolve(*, project, task, ticket, sale_line, current_sale_line=DEFAULT):
    """Project and order line of a timesheet line, checked. Returns (project, sale_line).

    `sale_line` DEFAULT → the default chain (ticket's item, task's line, project's line); an
    invalid default (e.g. its order was cancelled) makes the line not billable rather than
    refusing the time. `current_sale_line` (updates) keeps an unchanged link as it is.
    """
    team = None
    if ticket is not None:
        team = _team_of(ticket)
        if not team.use_timesheets:
            raise DomainError(
                f"Team {team.name} does not record timesheets: time cannot be logged on its tickets.",
                field="ticket",
            )
        if task is None and ticket.task_id:
            task = ticket.task
    if task is not None and project is not None and task.project_id != project.pk:
        raise DomainError(f"Task {task} is not in project {project}.", field="task")
    if project is None:
        if team is not None:
            project = team.project
        elif task is not None:
            project = task.project
    if project is None:
        raise DomainError("Choose a project (or a ticket or task that has one).", field="project")

    customer_id = (
        (ticket.customer_id if ticket is not None else None)
        or (task.customer_id if task is not None else None)
        or project.customer_id
    )
    if sale_line is DEFAULT and current_sale_line is not DEFAULT:
        return project, current_sale_line
    if sale_line is DEFAULT:
        default = None
        if ticket is not None and ticket.sale_line_id:
            default = ticket.sale_line_id
        elif task is not None and task.sale_line_id:
            default = task.sale_line_id
        elif project.billable and project.sale_line_id:
            default = project.sale_line_id
        if default is None:
            return project, None
        line = OrderLine.objects.select_related("order__customer", "product", "uom__category").get(pk=default)
        try:
            _check_sale_line(line, customer_id=customer_id)
        except DomainError:
            return project, None
        return project, line
    if sale_line is None:
        return project, None
    line = _load_sale_line(sale_line)
    _check_sale_line(line, customer_id=customer_id)
    return project, line


def _lock_orders(order_ids) -> None:
    """Lock orders first (sorted): the house order is orders → order lines → invoices → timesheets."""
    ids = sorted({i for i in order_ids if i})
    if ids:
        lock_billing(orders=Order.objects.filter(pk__in=ids).only("pk"))


def _check_author(*, user: User | None, employee: User, ticket) -> None:
    """The scoping rules of timesheets.selectors, enforced for every caller (browser, API, timer).
    `user=None` is the system itself (data import, demo data)."""
    if user is None:
        return
    if not user_may_log_for(user=user, employee=employee):
        raise DomainError("You can only log your own time.", field="employee")
    if ticket is not None and not user_may_log_on_ticket(user=user, ticket=ticket):
        raise DomainError("You can only log time on tickets of your helpdesk teams.", field="ticket")


def timesheet_day_lock(employee_id: int, day: date) -> None:
    """Serialise the writers of one employee's day, so the 24 h cap holds under concurrency.

    A PostgreSQL advisory lock, transaction-scoped, taken FIRST (before any row lock), so the
    house order orders → order lines → invoices → timesheets is kept after it. SQLite (`make
    run`) has one writer at a time anyway: nothing to take there.
    """
    if connection.vendor != "postgresql" or not isinstance(day, date) or not employee_id:
        return  # (a bad date or no employee: the caller's checks answer with a field error)
    key = (_DAY_LOCK_NAMESPACE << 48) | (employee_id << 20) | day.toordinal()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _check_day_total(*, employee, day: date, hours: Decimal, exclude_pk=None) -> None:
    """One employee's lines of one date total at most 24 h (under `_lock_employee_day`)."""
    others = TimesheetLine.objects.filter(employee=employee, date=day).exclude(pk=exclude_pk)
    logged = others.aggregate(total=Sum("hours"))["total"] or Decimal("0")
    if logged + hours > MAX_HOURS_PER_DAY:
        left = max(MAX_HOURS_PER_DAY - logged, Decimal("0"))
        raise DomainError(
            f"At most 24 hours a day: {employee} already has {logged:.2f} h on {day.isoformat()}, "
            f"so at most {left:.2f} h can be added.",
            field="hours",
        )


def _ensure_editable(line: TimesheetLine) -> None:
    if line.invoice_id and line.invoice.state != "cancel":
        invoice = line.invoice
        raise ConflictError(
            f"This timesheet line is billed on invoice {invoice.number or f'(draft #{invoice.pk})'}; "
            "cancel the draft or issue a credit note first.",
            code="timesheet_billed",
        )


def _page_of(line: TimesheetLine):
    """The page whose History card shows a line's events: its ticket, else its task."""
    return line.ticket if line.ticket_id else (line.task if line.task_id else None)


# --- services --------------------------------------------------------------------------------


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
    hours = _check_hours(hours)
    day = _check_date(date)
    if employee is None:
        raise DomainError("Choose the employee.", field="employee")
    with transaction.atomic():
        timesheet_day_lock(employee.pk, day)
        _check_day_total(employee=employee, day=day, hours=hours)
        project, line = _resolve(project=project, task=task, ticket=ticket, sale_line=sale_line)
        _check_author(user=user, employee=employee, ticket=ticket)
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
        timesheet.save()  # the post_save receiver recomputes the order line
        audit.record(
            actor=user,
            action="timesheet.create",
            obj=timesheet,
            parent=_page_of(timesheet),
            changes=audit.diff({}, audit.snapshot(timesheet, AUDIT_FIELDS)),
        )
    return timesheet


def timesheet_update(*, line: TimesheetLine, user: User, **fields) -> TimesheetLine:
    """Change date/hours/description/employee/task/ticket/sale_line. ConflictError when billed."""
    unknown = set(fields) - UPDATABLE_FIELDS
    if unknown:
        raise DomainError(f"These fields cannot be changed: {', '.join(sorted(unknown))}.")
    day_changes = bool({"hours", "date", "employee"} & set(fields))
    with transaction.atomic():
        old_order, old_employee_id, old_day = TimesheetLine.objects.filter(pk=line.pk).values_list(
            "sale_line__order_id", "employee_id", "date"
        ).first() or (None, None, None)
        if day_changes and old_day is not None:
            day = _check_date(fields["date"]) if "date" in fields else old_day
            employee_id = getattr(fields.get("employee"), "pk", None) or old_employee_id
            timesheet_day_lock(employee_id, day)  # before any row lock
        new_line = fields.get("sale_line")
        _lock_orders([old_order, getattr(new_line, "order_id", None)])
        current = lock_one(TimesheetLine.objects.select_related("invoice", *_AUDIT_RELATED), line.pk)
        _ensure_editable(current)
        before = audit.snapshot(current, AUDIT_FIELDS)
        if (current.employee_id, current.date) != (old_employee_id, old_day):
            raise ConflictError(
                "This timesheet line was changed meanwhile: reload it and try again.",
                code="timesheet_changed",
            )
        ensure_unlocked_for(line=current, user=user)
        old_hours, old_sale_line_id = current.hours, current.sale_line_id
        if "hours" in fields:
            current.hours = _check_hours(fields["hours"])
        if "date" in fields:
            current.date = _check_date(fields["date"])
        if "description" in fields:
            current.description = (fields["description"] or "")[:500]
        if "employee" in fields:
            if fields["employee"] is None:
                raise DomainError("Choose the employee.", field="employee")
            current.employee = fields["employee"]
        if day_changes:
            _check_day_total(
                employee=current.employee, day=current.date, hours=current.hours, exclude_pk=current.pk
            )
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
        current.project, current.sale_line = _resolve(
            project=project, task=task, ticket=ticket, sale_line=sale_line, current_sale_line=keep
        )
        if "employee" in fields or relinked:
            _check_author(user=user, employee=current.employee, ticket=ticket if relinked else None)
        current.ticket = ticket
        current.task = task
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
        _lock_orders([order_id])
        found = lock_rows(TimesheetLine.objects.select_related("invoice", *_AUDIT_RELATED).filter(pk=line.pk))
        if not found:
            return
        current = found[0]
        _ensure_editable(current)
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
            loaded = _load_sale_line(sale_line)
            customer_id = ticket.customer_id if ticket is not None else task.customer_id
            _check_sale_line(loaded, customer_id=customer_id)
        rows = TimesheetLine.objects.filter(invoice__isnull=True)
        rows = rows.filter(ticket=ticket) if ticket is not None else rows.filter(task=task)
        if sale_line is not None:
            rows = rows.exclude(sale_line=sale_line)
        else:
            rows = rows.filter(sale_line__isnull=False)
        old = list(rows.values_list("sale_line_id", "sale_line__order_id").distinct())
        _lock_orders([o for _, o in old] + [getattr(sale_line, "order_id", None)])
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
