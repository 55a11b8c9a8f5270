"""The checks every timesheet write runs: hours, date, the day's total, the order line, who
logs for whom and on which ticket, billed lines; and the locks they run under."""

import datetime
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.compiled import CompiledGet
from core.display import format_day, format_hours
from core.errors import ConflictError, DomainError
from core.locks import lock_billing
from core.models import User
from core.money import to_decimal
from core.statements import execute_all
from sales.models import Order, OrderLine, UomCategory
from sales.services import CONFIRMED_STATES

from ..models import TimesheetLine
from ..selectors import timesheet_default_sale_line_id, user_may_log_for, user_may_log_on_ticket
from ..tickets import ticket_team

DEFAULT = object()  # "use the default order line" (distinct from None = not billable)

MAX_HOURS = Decimal("24")
MAX_HOURS_PER_DAY = Decimal("24")
# Namespace of the advisory locks on (employee, day), in the key's top 16 bits.
_DAY_LOCK_NAMESPACE = 0x7153


def check_hours(hours) -> Decimal:
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


def check_date(value) -> date:
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


# An order line with what the checks and the billing rule read of it (its order and customer, its
# product, its unit's category): one query, compiled once (core.compiled: the hottest write).
_checked_sale_line = CompiledGet(
    lambda: OrderLine.objects.select_related("order__customer", "product", "uom__category")
)


def load_sale_line(sale_line) -> OrderLine:
    """The order line with what the checks need (order, unit category), in one query."""
    return _checked_sale_line.get(sale_line.pk)


def check_sale_line(line: OrderLine, *, customer_id) -> None:
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


def _resolve_project(*, project, task, ticket):
    """(project, task) of a line: the ticket's team's project, else the task's. Checked."""
    team = None
    if ticket is not None:
        team = ticket_team(ticket)
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
    return project, task


def _default_sale_line(*, project, task, ticket, customer_id) -> OrderLine | None:
    """The ticket's item, else the task's line, else the project's; None when that line is not
    valid any more (e.g. its order was cancelled): the time is kept, not billable."""
    default = timesheet_default_sale_line_id(ticket=ticket, task=task, project=project)
    if default is None:
        return None
    line = _checked_sale_line.get(default)
    try:
        check_sale_line(line, customer_id=customer_id)
    except DomainError:
        return None
    return line


def resolve(*, project, task, ticket, sale_line, current_sale_line=DEFAULT):
    """Project and order line of a timesheet line, checked. Returns (project, sale_line).

    `sale_line` DEFAULT → the default chain (ticket's item, task's line, project's line); an
    invalid default (e.g. its order was cancelled) makes the line not billable rather than
    refusing the time. `current_sale_line` (updates) keeps an unchanged link as it is.
    """
    project, task = _resolve_project(project=project, task=task, ticket=ticket)
    customer_id = (
        (ticket.customer_id if ticket is not None else None)
        or (task.customer_id if task is not None else None)
        or project.customer_id
    )
    if sale_line is DEFAULT and current_sale_line is not DEFAULT:
        return project, current_sale_line
    if sale_line is DEFAULT:
        return project, _default_sale_line(project=project, task=task, ticket=ticket, customer_id=customer_id)
    if sale_line is None:
        return project, None
    line = load_sale_line(sale_line)
    check_sale_line(line, customer_id=customer_id)
    return project, line


def lock_orders(order_ids) -> None:
    """Lock orders first (sorted): the house order is orders → order lines → invoices → timesheets."""
    ids = sorted({i for i in order_ids if i})
    if ids:
        lock_billing(orders=Order.objects.filter(pk__in=ids).only("pk"))


def check_author(*, user: User | None, employee: User, ticket) -> None:
    """The scoping rules of timesheets.selectors, enforced for every caller (browser, API, timer).
    `user=None` is the system itself (data import, demo data)."""
    if user is None:
        return
    if not user_may_log_for(user=user, employee=employee):
        raise DomainError("You can only log your own time.", field="employee")
    if ticket is not None and not user_may_log_on_ticket(user=user, ticket=ticket):
        raise DomainError("You can only log time on tickets of your helpdesk teams.", field="ticket")


def _day_lock(employee_id: int, day: date) -> tuple[str, list] | None:
    """The statement taking the advisory lock of one employee's day, or None (nothing to take)."""
    if connection.vendor != "postgresql" or not isinstance(day, date) or not employee_id:
        return None  # (a bad date or no employee: the caller's checks answer with a field error)
    key = (_DAY_LOCK_NAMESPACE << 48) | (employee_id << 20) | day.toordinal()
    return "SELECT pg_advisory_xact_lock(%s)", [key]


def timesheet_day_lock(employee_id: int, day: date) -> None:
    """Serialise the writers of one employee's day, so the 24 h cap holds under concurrency.

    A PostgreSQL advisory lock, transaction-scoped, taken FIRST (before any row lock), so the
    house order orders → order lines → invoices → timesheets is kept after it. SQLite (`make
    run`) has one writer at a time anyway: nothing to take there.
    """
    statement = _day_lock(employee_id, day)
    if statement is not None:
        execute_all([statement])


def check_day_total(*, employee, day: date, hours: Decimal, exclude_pk=None, lock: bool = False) -> None:
    """One employee's lines of one date total at most 24 h (under `timesheet_day_lock`; `lock`
    takes it first, in the same round trip: the sum is a later statement, so it sees every line
    committed by the writers the lock waited for)."""
    # Plain SQL: on the hottest write the ORM's aggregate costs more to build than to run.
    total = (
        f"SELECT COALESCE(SUM(hours), 0) FROM {TimesheetLine._meta.db_table} "
        "WHERE employee_id = %s AND date = %s AND id <> %s",
        [employee.pk, day, exclude_pk or 0],
    )
    day_lock = _day_lock(employee.pk, day) if lock else None
    rows = execute_all([day_lock, total] if day_lock else [total])
    logged = Decimal(str(rows[0][0]))  # (SQLite answers a float)
    if logged + hours > MAX_HOURS_PER_DAY:
        left = max(MAX_HOURS_PER_DAY - logged, Decimal("0"))
        raise DomainError(
            f"At most 24 hours a day: {employee} already has {format_hours(logged)} h on {format_day(day)}, "
            f"so at most {format_hours(left)} h can be added.",
            field="hours",
        )


def ensure_editable(line: TimesheetLine) -> None:
    if line.invoice_id and line.invoice.state != "cancel":
        invoice = line.invoice
        raise ConflictError(
            f"This timesheet line is billed on invoice {invoice.number or f'(draft #{invoice.pk})'}; "
            "cancel the draft or issue a credit note first.",
            code="timesheet_billed",
        )
