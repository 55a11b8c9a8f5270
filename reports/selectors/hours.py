"""Hours: where the time went, by customer, project, employee or month (SPEC Reports)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

from core.display import format_hours
from core.models import User
from core.money import ZERO
from helpdesk.models import Ticket
from projects.models import Project, Task
from sales.models import Customer, OrderLine, Product
from timesheets.models import TimesheetLine

from ..models import HoursByCustomerMonth, HoursByDay
from . import portable
from .common import dec

HOURS_GROUPINGS = {
    "customer": "Customer",
    "project": "Project",
    "employee": "Employee",
    "month": "Month",
}
NO_CUSTOMER = "(no customer)"


FIGURES = ("total", "billable", "invoiced", "prepaid", "unbilled")


@dataclass
class HoursFigures:
    """Hours of a group. Billable time falls in exactly one of: on an invoice (invoiced);
    drawn from a prepaid block or a fixed quantity (prepaid: the order line bills the ordered
    or entered quantity, never the time); post-paid time not yet on an invoice (unbilled)."""

    total: Decimal = ZERO
    billable: Decimal = ZERO
    invoiced: Decimal = ZERO
    prepaid: Decimal = ZERO
    unbilled: Decimal = ZERO

    @property
    def non_billable(self) -> Decimal:
        return self.total - self.billable

    def add(self, other: "HoursFigures") -> None:
        for name in FIGURES:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class HoursRow:
    """`actual`: the hours worked; `billed`: the billed duration (SPEC Time policy: each line
    rounded by its billing rule, what invoices, delivered and remaining hours use)."""

    key: object
    label: str
    actual: HoursFigures = field(default_factory=HoursFigures)
    billed: HoursFigures = field(default_factory=HoursFigures)

    def pairs(self) -> list[tuple[Decimal, Decimal]]:
        """(actual, billed) of total, billable, non-billable, invoiced, prepaid, unbilled."""
        names = ("total", "billable", "non_billable", "invoiced", "prepaid", "unbilled")
        return [(getattr(self.actual, name), getattr(self.billed, name)) for name in names]

    def cells(self) -> list[tuple[str, str | None]]:
        """`pairs` as the table shows them (core.display.format_hours: "1,234.50"), billed None
        when it equals actual. Formatted here, not by a template filter per cell (200 rows × 12)."""
        return [(format_hours(a), None if b == a else format_hours(b)) for a, b in self.pairs()]


@dataclass
class HoursReport:
    group_by: str
    rows: list[HoursRow] = field(default_factory=list)
    totals: HoursRow = field(default_factory=lambda: HoursRow(key=None, label="Total"))


# Every source yields (key, billable, on_timesheets, invoiced, hours, billed_hours) rows; one
# aggregate turns them into the figures, actual and billed.
_FIGURES_SQL = """
SELECT key,
       SUM(hours), SUM(hours) FILTER (WHERE billable), SUM(hours) FILTER (WHERE invoiced),
       SUM(hours) FILTER (WHERE NOT invoiced AND on_timesheets),
       SUM(billed_hours), SUM(billed_hours) FILTER (WHERE billable),
       SUM(billed_hours) FILTER (WHERE invoiced),
       SUM(billed_hours) FILTER (WHERE NOT invoiced AND on_timesheets)
FROM ({sources}) r(key, billable, on_timesheets, invoiced, hours, billed_hours)
GROUP BY key
"""

# Timesheet lines directly, in two levels so it stays fast on many lines: the inner aggregate
# groups the rows on their own columns only (no join per row); the groups are then joined to
# order lines (policy) and tickets / tasks / projects (customer).
_LINES_SQL = """
SELECT {outer_key}, g.sale_line_id IS NOT NULL, COALESCE(l.invoice_policy = %(timesheet)s, FALSE),
       g.invoiced, g.hours, g.billed_hours
FROM (
    SELECT {inner_keys}, t.sale_line_id, t.invoice_id IS NOT NULL AS invoiced, SUM(t.hours) AS hours,
           SUM(COALESCE(t.billed_hours, t.hours)) AS billed_hours
    FROM {timesheets} t
    WHERE {where}
    GROUP BY {group_keys}, t.sale_line_id, t.invoice_id IS NOT NULL
) g
LEFT JOIN {order_lines} l ON l.id = g.sale_line_id
{customer_joins}
{customer_filter}
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

# The per-day summary (reports.models.HoursByDay): project, employee, month, without customer.
_DAY_SQL = """
SELECT {key}, s.billable, s.on_timesheets, s.billed, s.hours, s.billed_hours
FROM {summary} s WHERE {where}
"""
_DAY_KEYS = {
    "project": "s.project_id",
    "employee": "s.employee_id",
    "month": "date_trunc('month', s.date)::date",
}

# The customer-month log (reports.models.HoursByCustomerMonth) for the whole months of the
# period; the days of a partial first or last month come from the lines.
_MONTH_SQL = """
SELECT {key}, s.billable, s.policy = %(timesheet)s, s.billed, s.hours, s.billed_hours
FROM {summary} s WHERE {where}
"""
_MONTH_KEYS = {"customer": "NULLIF(s.customer_id, 0)", "month": "s.month"}


def _tables() -> dict:
    return {
        "timesheets": TimesheetLine._meta.db_table,
        "order_lines": OrderLine._meta.db_table,
        "tickets": Ticket._meta.db_table,
        "tasks": Task._meta.db_table,
        "projects": Project._meta.db_table,
    }


def _day_source(filters, group_by: str, params: dict) -> str:
    where = ["s.lines > 0", "s.date <= %(date_to)s"]
    if filters.date_from is not None:
        where.append("s.date >= %(date_from)s")
    if filters.employee_id is not None:
        where.append("s.employee_id = %(employee)s")
    return _DAY_SQL.format(
        key=_DAY_KEYS[group_by], summary=HoursByDay._meta.db_table, where=" AND ".join(where)
    )


def _lines_source(filters, group_by: str, params: dict, dates: list[str]) -> str:
    """The timesheet lines of the period (`dates`: conditions on t.date, OR-ed)."""
    where = ["(" + " OR ".join(dates) + ")" if dates else "FALSE"]
    if filters.employee_id is not None:
        where.append("t.employee_id = %(employee)s")
    by_customer = group_by == "customer" or filters.customer_id is not None
    inner = list(_INNER_KEYS[group_by])
    if by_customer:
        inner += [key for key in _INNER_KEYS["customer"] if key not in inner]
    tables = _tables()
    customer_filter = ""
    if filters.customer_id is not None:
        # Exact filter on the grouped rows; before it, an indexed superset (lines of the
        # customer's tickets, tasks or projects) so that only that customer's rows are read.
        customer_filter = f"WHERE {_CUSTOMER} = %(customer)s"
        where.append(_CUSTOMER_PREFILTER.format(**tables))
    return _LINES_SQL.format(
        inner_keys=", ".join(inner),
        group_keys=", ".join(key.split(" AS ")[0] for key in inner),
        where=" AND ".join(where),
        outer_key=_OUTER_KEYS[group_by],
        customer_joins=_CUSTOMER_JOINS.format(**tables) if by_customer else "",
        customer_filter=customer_filter,
        **tables,
    )


def _month_sources(filters, group_by: str, params: dict) -> str:
    """Whole months from the customer-month log, the partial ones from the lines."""
    whole_from, whole_to, partial = whole_months(filters.date_from, filters.date_to)
    sources = []
    if whole_from is not None or whole_to is not None:
        where = ["s.month < %(whole_to)s"]
        params["whole_to"] = whole_to
        if whole_from is not None:
            where.append("s.month >= %(whole_from)s")
            params["whole_from"] = whole_from
        if filters.customer_id is not None:
            where.append("s.customer_id = %(customer)s")
        sources.append(
            _MONTH_SQL.format(
                key=_MONTH_KEYS[group_by],
                summary=HoursByCustomerMonth._meta.db_table,
                where=" AND ".join(where),
            )
        )
    dates = []
    for n, (start, end) in enumerate(partial):
        params[f"partial_{n}_from"], params[f"partial_{n}_to"] = start, end
        bounds = [f"t.date <= %(partial_{n}_to)s"]
        if start is not None:
            bounds.append(f"t.date >= %(partial_{n}_from)s")
        dates.append("(" + " AND ".join(bounds) + ")")
    sources.append(_lines_source(filters, group_by, params, dates))
    return " UNION ALL ".join(sources)


def whole_months(date_from, date_to) -> tuple:
    """(first whole month or None for "from the start", end of the whole months (exclusive)
    or None when there is none, [(start, end)] day ranges of the partial months)."""
    first = date_from
    if date_from is not None and date_from.day != 1:
        first = next_month(date_from)
    last_end = next_month(date_to) if next_month(date_to) - datetime.timedelta(days=1) == date_to else None
    last_end = last_end or date_to.replace(day=1)
    if first is not None and first >= last_end:
        return None, None, [(date_from, date_to)]
    partial = []
    if first is not None and first != date_from:
        partial.append((date_from, first - datetime.timedelta(days=1)))
    if last_end <= date_to:
        partial.append((last_end, date_to))
    return first, last_end, partial


def next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def _source(filters, group_by: str, params: dict, direct: bool) -> str:
    """Where the figures come from: a summary when one holds the grouping and filters."""
    if direct:
        pass
    elif filters.employee_id is None and (group_by == "customer" or filters.customer_id is not None):
        if group_by in _MONTH_KEYS:
            return _month_sources(filters, group_by, params)
    elif group_by in _DAY_KEYS and filters.customer_id is None:
        return _day_source(filters, group_by, params)
    dates = ["t.date <= %(date_to)s" + (" AND t.date >= %(date_from)s" if filters.date_from else "")]
    return _lines_source(filters, group_by, params, dates)


def hours_sql(filters, group_by: str, *, direct: bool = False) -> tuple[str, dict]:
    """The report's statement; `direct`: from the timesheet lines only (no summary)."""
    params = {
        "date_to": filters.date_to,
        "date_from": filters.date_from,
        "employee": filters.employee_id,
        "customer": filters.customer_id,
        "timesheet": Product.InvoicePolicy.TIMESHEET,
    }
    return _FIGURES_SQL.format(sources=_source(filters, group_by, params, direct)), params


def hours_report(*, filters, group_by: str = "customer") -> HoursReport:
    """Hours in the period grouped by `group_by` (one of HOURS_GROUPINGS), actual and billed.
    One query, + 1 for the names of customers, projects or employees."""
    if group_by not in HOURS_GROUPINGS:
        raise ValueError(f"unknown grouping {group_by!r}")
    if connection.vendor == "postgresql":
        sql, params = hours_sql(filters, group_by)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            results = cursor.fetchall()
    else:
        results = portable.hours_rows(filters=filters, group_by=group_by)
    report = HoursReport(group_by=group_by)
    for key, *figures in results:
        actual, billed = _figures(figures[:4]), _figures(figures[4:])
        report.rows.append(HoursRow(key=key, label="", actual=actual, billed=billed))
        report.totals.actual.add(actual)
        report.totals.billed.add(billed)
    _label_rows(report)
    return report


def _figures(values) -> HoursFigures:
    total, billable, invoiced, unbilled = (dec(value) for value in values)
    return HoursFigures(
        total=total,
        billable=billable,
        invoiced=invoiced,
        unbilled=unbilled,
        prepaid=billable - invoiced - unbilled,
    )


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
        rows.sort(key=lambda row: (-row.actual.total, row.label.lower()))
