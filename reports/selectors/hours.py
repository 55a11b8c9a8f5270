"""Hours: where the time went, by customer, project, employee or month (SPEC Reports)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

from core.models import User
from core.money import ZERO
from helpdesk.models import Ticket
from projects.models import Project, Task
from sales.models import Customer, OrderLine, Product
from timesheets.models import TimesheetLine

from ..models import HoursByDay
from . import portable
from .common import dec

HOURS_GROUPINGS = {
    "customer": "Customer",
    "project": "Project",
    "employee": "Employee",
    "month": "Month",
}
NO_CUSTOMER = "(no customer)"


@dataclass
class HoursRow:
    key: object
    label: str
    total: Decimal = ZERO
    billable: Decimal = ZERO
    billed: Decimal = ZERO
    prepaid: Decimal = ZERO
    unbilled: Decimal = ZERO

    @property
    def non_billable(self) -> Decimal:
        return self.total - self.billable


@dataclass
class HoursReport:
    group_by: str
    rows: list[HoursRow] = field(default_factory=list)
    totals: HoursRow = field(default_factory=lambda: HoursRow(key=None, label="Total"))


# Billable time falls in exactly one of: on an invoice (billed); drawn from a prepaid block or
# a fixed quantity (the order line bills the ordered / entered quantity, never the time); or
# post-paid time not yet on an invoice (unbilled: waiting to be invoiced).
#
# Two levels, so it stays fast at a million lines: the inner aggregate groups the timesheet
# rows on their own columns only (parallel, no join per row); the few thousand groups are then
# joined to order lines (policy), tickets, tasks and projects (customer) and summed again.
_SQL = """
WITH grouped AS (
    SELECT {inner_keys}, t.sale_line_id, t.invoice_id IS NOT NULL AS billed, SUM(t.hours) AS hours
    FROM {timesheets} t
    WHERE {where}
    GROUP BY {group_keys}, t.sale_line_id, t.invoice_id IS NOT NULL
)
SELECT {outer_key} AS key,
       SUM(g.hours) AS total,
       SUM(g.hours) FILTER (WHERE g.sale_line_id IS NOT NULL) AS billable,
       SUM(g.hours) FILTER (WHERE g.billed) AS billed,
       SUM(g.hours) FILTER (WHERE NOT g.billed AND l.invoice_policy = %(timesheet)s) AS unbilled
FROM grouped g
LEFT JOIN {order_lines} l ON l.id = g.sale_line_id
{customer_joins}
{customer_filter}
GROUP BY 1
"""
_CUSTOMER_JOINS = """
LEFT JOIN {tickets} tk ON tk.id = g.ticket_id
LEFT JOIN {tasks} ta ON ta.id = g.task_id
LEFT JOIN {projects} p ON p.id = g.project_id
"""
# The customer whose work it was: the ticket's, else the task's, else the project's (the
# timesheet services keep a billable line's order of that same customer).
_CUSTOMER = "COALESCE(tk.customer_id, ta.customer_id, p.customer_id)"
_CUSTOMER_PREFILTER = """(
    t.ticket_id IN (SELECT id FROM {tickets} WHERE customer_id = %(customer)s)
    OR t.task_id IN (SELECT id FROM {tasks} WHERE customer_id = %(customer)s)
    OR t.project_id IN (SELECT id FROM {projects} WHERE customer_id = %(customer)s)
)"""
_INNER_KEYS = {
    "customer": ["t.ticket_id", "t.task_id", "t.project_id"],
    "project": ["t.project_id"],
    "employee": ["t.employee_id"],
    "month": ["date_trunc('month', t.date)::date AS month"],
}
_OUTER_KEYS = {
    "customer": _CUSTOMER,
    "project": "g.project_id",
    "employee": "g.employee_id",
    "month": "g.month",
}


# Without a customer (grouping or filter) the figures come from the per-day summary the
# database keeps (reports.models.HoursByDay: tens of thousands of rows at a million lines).
_SUMMARY_SQL = """
SELECT {key} AS key,
       SUM(s.hours) AS total,
       SUM(s.hours) FILTER (WHERE s.billable) AS billable,
       SUM(s.hours) FILTER (WHERE s.billed) AS billed,
       SUM(s.hours) FILTER (WHERE NOT s.billed AND s.on_timesheets) AS unbilled
FROM {summary} s
WHERE {where}
GROUP BY 1
"""
_SUMMARY_KEYS = {
    "project": "s.project_id",
    "employee": "s.employee_id",
    "month": "date_trunc('month', s.date)::date",
}


def _summary_sql(filters, group_by: str) -> tuple[str, dict]:
    params = {"date_to": filters.date_to}
    where = ["s.lines > 0", "s.date <= %(date_to)s"]
    if filters.date_from is not None:
        where.append("s.date >= %(date_from)s")
        params["date_from"] = filters.date_from
    if filters.employee_id is not None:
        where.append("s.employee_id = %(employee)s")
        params["employee"] = filters.employee_id
    sql = _SUMMARY_SQL.format(
        key=_SUMMARY_KEYS[group_by], summary=HoursByDay._meta.db_table, where=" AND ".join(where)
    )
    return sql, params


def _hours_sql(filters, group_by: str) -> tuple[str, dict]:
    params = {"date_to": filters.date_to, "timesheet": Product.InvoicePolicy.TIMESHEET}
    where = ["t.date <= %(date_to)s"]
    if filters.date_from is not None:
        where.append("t.date >= %(date_from)s")
        params["date_from"] = filters.date_from
    if filters.employee_id is not None:
        where.append("t.employee_id = %(employee)s")
        params["employee"] = filters.employee_id
    by_customer = group_by == "customer" or filters.customer_id is not None
    inner = list(_INNER_KEYS[group_by])
    if by_customer:
        inner += [key for key in _INNER_KEYS["customer"] if key not in inner]
    tables = {
        "timesheets": TimesheetLine._meta.db_table,
        "order_lines": OrderLine._meta.db_table,
        "tickets": Ticket._meta.db_table,
        "tasks": Task._meta.db_table,
        "projects": Project._meta.db_table,
    }
    customer_filter = ""
    if filters.customer_id is not None:
        # Exact filter on the grouped rows; before it, an indexed superset (lines of the
        # customer's tickets, tasks or projects) so that only that customer's rows are read.
        customer_filter = f"WHERE {_CUSTOMER} = %(customer)s"
        params["customer"] = filters.customer_id
        where.append(_CUSTOMER_PREFILTER.format(**tables))
    sql = _SQL.format(
        inner_keys=", ".join(inner),
        group_keys=", ".join(key.split(" AS ")[0] for key in inner),
        where=" AND ".join(where),
        outer_key=_OUTER_KEYS[group_by],
        customer_joins=_CUSTOMER_JOINS.format(**tables) if by_customer else "",
        customer_filter=customer_filter,
        **tables,
    )
    return sql, params


def hours_report(*, filters, group_by: str = "customer") -> HoursReport:
    """Hours in the period grouped by `group_by` (one of HOURS_GROUPINGS). One query, + 1 for
    the names of customers, projects or employees."""
    if group_by not in HOURS_GROUPINGS:
        raise ValueError(f"unknown grouping {group_by!r}")
    if connection.vendor == "postgresql":
        if group_by in _SUMMARY_KEYS and filters.customer_id is None:
            sql, params = _summary_sql(filters, group_by)
        else:
            sql, params = _hours_sql(filters, group_by)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            results = cursor.fetchall()
    else:
        results = portable.hours_rows(filters=filters, group_by=group_by)
    report = HoursReport(group_by=group_by)
    for key, total, billable, billed, unbilled in results:
        total, billable, billed, unbilled = dec(total), dec(billable), dec(billed), dec(unbilled)
        report.rows.append(
            HoursRow(
                key=key,
                label="",
                total=total,
                billable=billable,
                billed=billed,
                unbilled=unbilled,
                prepaid=billable - billed - unbilled,
            )
        )
    _label_rows(report)
    for row in report.rows:
        for name in ("total", "billable", "billed", "prepaid", "unbilled"):
            setattr(report.totals, name, getattr(report.totals, name) + getattr(row, name))
    return report


def _label_rows(report: HoursReport) -> None:
    rows = report.rows
    keys = [row.key for row in rows if row.key is not None]
    if report.group_by == "customer":
        names = dict(Customer.objects.filter(pk__in=keys).values_list("pk", "name"))
        for row in rows:
            row.label = names.get(row.key, NO_CUSTOMER)
    elif report.group_by == "project":
        names = dict(Project.objects.filter(pk__in=keys).values_list("pk", "name"))
        for row in rows:
            row.label = names.get(row.key, "")
    elif report.group_by == "employee":
        people = User.objects.filter(pk__in=keys).only("pk", "username", "first_name", "last_name")
        users = {user.pk: str(user) for user in people}
        for row in rows:
            row.label = users.get(row.key, "")
    elif report.group_by == "month":
        for row in rows:
            row.label = row.key.strftime("%Y-%m")
    if report.group_by == "month":
        rows.sort(key=lambda row: row.key)
    else:
        rows.sort(key=lambda row: (-row.total, row.label.lower()))
