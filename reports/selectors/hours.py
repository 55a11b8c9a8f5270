"""Hours: where the time went, by customer, project, employee or month (SPEC Reports)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce, TruncMonth

from core.models import User
from core.money import ZERO
from sales.models import Customer, Product
from timesheets.models import TimesheetLine

from .common import date_range_q, dec

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
_AGGREGATES = {
    "total": Sum("hours"),
    "billable": Sum("hours", filter=Q(sale_line__isnull=False)),
    "billed": Sum("hours", filter=Q(invoice__isnull=False)),
    "unbilled": Sum(
        "hours",
        filter=Q(invoice__isnull=True, sale_line__invoice_policy=Product.InvoicePolicy.TIMESHEET),
    ),
}


def _customer_of_line():
    # The customer whose work it was: the ticket's, else the task's, else the project's (the
    # timesheet services keep a billable line's order of that same customer).
    return Coalesce("ticket__customer_id", "task__customer_id", "project__customer_id")


def hours_report(*, filters, group_by: str = "customer") -> HoursReport:
    """Hours in the period grouped by `group_by` (one of HOURS_GROUPINGS). Two queries: the
    aggregate, then the names of customers or employees."""
    if group_by not in HOURS_GROUPINGS:
        raise ValueError(f"unknown grouping {group_by!r}")
    lines = TimesheetLine.objects.filter(**date_range_q("date", filters))
    if filters.employee_id is not None:
        lines = lines.filter(employee_id=filters.employee_id)
    if group_by == "customer" or filters.customer_id is not None:
        lines = lines.annotate(customer_ref=_customer_of_line())
    if filters.customer_id is not None:
        lines = lines.filter(customer_ref=filters.customer_id)
    key = {
        "customer": "customer_ref",
        "project": "project_id",
        "employee": "employee_id",
        "month": "month",
    }[group_by]
    if group_by == "month":
        lines = lines.annotate(month=TruncMonth("date"))
    group_fields = [key, "project__name"] if group_by == "project" else [key]
    values = lines.order_by().values(*group_fields).annotate(**_AGGREGATES)
    report = HoursReport(group_by=group_by)
    for row in values:
        total, billable, billed, unbilled = (dec(row[name]) for name in _AGGREGATES)
        report.rows.append(
            HoursRow(
                key=row[key],
                label=row.get("project__name", ""),
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
