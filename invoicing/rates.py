"""Employee rates on post-paid lines (SPEC Time policy): an hourly rate per employee on an order
line (or on the project of the timesheet line) overrides the line's unit price for that
employee's hours. An invoice bills one line per rate; each timesheet line is linked to the
invoice line that bills it. Delivered quantities stay in hours (the order line's unit)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum

from core.money import ZERO, quantize_money
from core.units import hours_to_unit
from projects.models import EmployeeRate
from sales.models import OrderLine
from timesheets.models import BILLED_HOURS, INVOICEABLE_APPROVAL_STATES, TimesheetLine


@dataclass
class RateGroup:
    """The not yet billed hours of one order line billed at one rate (None: the line's price)."""

    rate: Decimal | None
    hours: Decimal = ZERO
    # (employee id, project id) pairs whose lines this group bills.
    members: list[tuple[int, int]] = field(default_factory=list)
    employees: set[str] = field(default_factory=set)

    def quantity(self, line: OrderLine) -> Decimal:
        return hours_to_unit(self.hours, line.uom)

    def price_unit(self, line: OrderLine) -> Decimal:
        if self.rate is None:
            return line.price_unit
        return quantize_money(self.rate * line.uom.ratio)  # per hour → per unit of the line

    def description(self, line: OrderLine) -> str:
        base = line.description or str(line.product or "")
        who = ", ".join(sorted(self.employees))
        if self.rate is None:
            return f"{base} – {who}"
        return f"{base} – {who} at {self.rate}/h"


def unbilled_timesheets(*, sale_line_ids, in_period: Q):
    return TimesheetLine.objects.filter(
        in_period,
        sale_line_id__in=sale_line_ids,
        invoice__isnull=True,
        approval_state__in=INVOICEABLE_APPROVAL_STATES,
    )


def rate_groups(*, lines: list[OrderLine], in_period: Q) -> dict[int, list[RateGroup]]:
    """Per post-paid order line that has an employee rate for its unbilled time: that time
    grouped by rate (two queries; one when no rate applies)."""
    ids = [line.pk for line in lines]
    if not ids:
        return {}
    unbilled = unbilled_timesheets(sale_line_ids=ids, in_period=in_period)
    rates = list(
        EmployeeRate.objects.filter(
            Q(sale_line_id__in=ids) | Q(project_id__in=unbilled.values("project_id"))
        ).values("employee_id", "sale_line_id", "project_id", "hourly_rate")
    )
    if not rates:
        return {}
    on_line = {(r["sale_line_id"], r["employee_id"]): r["hourly_rate"] for r in rates if r["sale_line_id"]}
    on_project = {(r["project_id"], r["employee_id"]): r["hourly_rate"] for r in rates if r["project_id"]}
    rows = (
        unbilled.order_by()
        .values(
            "sale_line_id",
            "employee_id",
            "project_id",
            "employee__first_name",
            "employee__last_name",
            "employee__username",
        )
        .annotate(hours=Sum(BILLED_HOURS))
    )
    groups: dict[int, dict] = {}
    for row in rows:
        line_id, employee_id, project_id = row["sale_line_id"], row["employee_id"], row["project_id"]
        rate = on_line.get((line_id, employee_id), on_project.get((project_id, employee_id)))
        group = groups.setdefault(line_id, {}).setdefault(rate, RateGroup(rate=rate))
        group.hours += row["hours"]
        group.members.append((employee_id, project_id))
        name = f"{row['employee__first_name']} {row['employee__last_name']}".strip()
        group.employees.add(name or row["employee__username"])
    result = {}
    for line_id, by_rate in groups.items():
        if any(rate is not None for rate in by_rate):
            # Line-price hours first, then by rate.
            result[line_id] = sorted(by_rate.values(), key=lambda g: (g.rate is not None, g.rate or ZERO))
    return result


def members_filter(members: list[tuple[int, int]]) -> Q:
    condition = Q(pk__in=[])
    for employee_id, project_id in members:
        condition |= Q(employee_id=employee_id, project_id=project_id)
    return condition
