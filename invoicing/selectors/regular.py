"""The regular invoice of an order: what it delivered and has not billed (SPEC Invoicing).

Time billed on timesheets may be limited to a period (the hours of the period, in the line's
unit); lines with employee rates bill one line per rate; down payments already invoiced are
deducted under a "Down payments" section.
"""

from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum

from core.display import format_money
from core.errors import DomainError
from core.money import ZERO
from core.units import hours_to_unit
from sales.models import Order, OrderLine, Product
from timesheets.models import BILLED_HOURS, INVOICEABLE_APPROVAL_STATES, TimesheetLine

from ..models import InvoiceLine
from ..rates import rate_groups
from .planned import InvoicePlan, Method, PlannedLine, nothing_to_invoice, order_lines

DOWN_PAYMENTS_SECTION = "Down payments"


def regular_plan(order: Order, *, period_start: date | None, period_end: date | None) -> InvoicePlan:
    if period_start and period_end and period_start > period_end:
        raise DomainError("The period ends before it starts.", field="period_end")
    plan = InvoicePlan(order=order, method=Method.REGULAR, period_start=period_start, period_end=period_end)
    lines = order_lines(order)
    timesheet_lines = [
        line
        for line in lines
        if not line.is_downpayment and line.invoice_policy == Product.InvoicePolicy.TIMESHEET
    ]
    timesheet_ids = {line.pk for line in timesheet_lines}
    in_period = Q()
    if period_start:
        in_period &= Q(date__gte=period_start)
    if period_end:
        in_period &= Q(date__lte=period_end)
    by_rate = rate_groups(lines=timesheet_lines, in_period=in_period)
    unbilled = _unbilled_hours(timesheet_lines, in_period)
    for line in lines:
        if line.is_downpayment:
            continue
        bills_time = line.pk in timesheet_ids
        quantity = line.qty_to_invoice
        if bills_time and (period_start or period_end):
            quantity = _quantity_in_period(line, unbilled.get(line.pk))
        if quantity <= 0:
            continue
        if bills_time:
            plan.timesheet_sale_line_ids.append(line.pk)
        if line.pk in by_rate:
            plan.lines.extend(_rate_lines(line, by_rate[line.pk], period_start, period_end))
        else:
            plan.lines.append(_planned_line(line, quantity, plan=plan, bills_time=bills_time))
    if not plan.lines:
        if timesheet_lines and (period_start or period_end) and any(r["total"] for r in unbilled.values()):
            raise nothing_to_invoice(order, "no time to bill in that period.")
        raise nothing_to_invoice(order, "no delivered or ordered quantity is waiting to be billed.")
    _deduct_downpayments(plan, lines)
    return plan


def _unbilled_hours(timesheet_lines: list[OrderLine], in_period: Q) -> dict[int, dict]:
    """Per order line billed on timesheets: its not yet invoiced billed hours, in all and in the
    period (one query; none without such lines)."""
    if not timesheet_lines:
        return {}
    return {
        row["sale_line"]: row
        for row in TimesheetLine.objects.filter(
            sale_line__in=timesheet_lines,
            invoice__isnull=True,
            approval_state__in=INVOICEABLE_APPROVAL_STATES,
        )
        .order_by()
        .values("sale_line")
        .annotate(total=Sum(BILLED_HOURS), in_period=Sum(BILLED_HOURS, filter=in_period))
    }


def _quantity_in_period(line: OrderLine, unbilled: dict | None) -> Decimal:
    """What a line billed on timesheets bills when a period is chosen."""
    row = unbilled or {"total": None, "in_period": None}
    if not row["in_period"]:
        return ZERO
    if row["in_period"] != row["total"]:
        # Part of the not yet invoiced time: the hours of the period, in the line's unit.
        return min(line.qty_to_invoice, hours_to_unit(row["in_period"], line.uom))
    return line.qty_to_invoice


def _planned_line(line: OrderLine, quantity: Decimal, *, plan: InvoicePlan, bills_time: bool) -> PlannedLine:
    return PlannedLine(
        description=line.description or str(line.product or ""),
        quantity=quantity,
        price_unit=line.price_unit,
        discount=line.discount,
        sale_line=line,
        product=line.product,
        uom=line.uom,
        tax=line.tax,
        period_start=plan.period_start if bills_time else None,
        period_end=plan.period_end if bills_time else None,
    ).compute()


def _rate_lines(line, groups, period_start, period_end) -> list[PlannedLine]:
    """One planned line per hourly rate of a post-paid line (employee rates)."""
    return [
        PlannedLine(
            description=group.description(line),
            quantity=group.quantity(line),
            price_unit=group.price_unit(line),
            discount=line.discount,
            sale_line=line,
            product=line.product,
            uom=line.uom,
            tax=line.tax,
            period_start=period_start,
            period_end=period_end,
            timesheet_members=group.members,
        ).compute()
        for group in groups
        if group.hours > 0
    ]


def _deduct_downpayments(plan: InvoicePlan, lines: list[OrderLine]) -> None:
    """The down payments invoiced and not yet deducted, as negative lines under their section;
    refused when they exceed what the invoice bills."""
    deductions = [line for line in lines if line.is_downpayment and line.qty_to_invoice < 0]
    if not deductions:
        return
    plan.lines.append(
        PlannedLine(description=DOWN_PAYMENTS_SECTION, display_type=InvoiceLine.DisplayType.SECTION)
    )
    for line in deductions:
        plan.lines.append(
            PlannedLine(
                description=line.description,
                quantity=line.qty_to_invoice,
                price_unit=line.price_unit,
                sale_line=line,
                uom=line.uom,
                tax=line.tax,
                is_downpayment=True,
            ).compute()
        )
    if plan.amount_total < 0:
        raise DomainError(
            f"The down payments already invoiced exceed what this invoice would bill "
            f"({format_money(plan.amount_total)}): invoice a longer period or the whole order.",
            code="downpayment_exceeds",
        )
