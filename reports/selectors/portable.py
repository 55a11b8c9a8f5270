"""The same reports through the ORM, for databases other than PostgreSQL (the embedded SQLite
demo of `make run`). Fine for demo-sized data; at scale the PostgreSQL statements of `hours`,
`unbilled` and `burndown` answer (see bench/README.md)."""

import datetime
from decimal import Decimal

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce, TruncMonth

from core.money import ZERO, line_subtotal, quantize_qty
from core.units import hours_to_unit
from invoicing.rates import rate_groups
from sales.models import Order, OrderLine, Product, UomCategory
from timesheets.models import BILLED_HOURS, INVOICEABLE_APPROVAL_STATES, TimesheetLine

from .common import date_range_q, dec

CONFIRMED = (Order.State.SALE, Order.State.DONE)


def hours_rows(*, filters, group_by: str) -> list[tuple]:
    """(key, total, billable, invoiced, unbilled, then the same in billed duration) per group,
    as the PostgreSQL statement."""
    lines = TimesheetLine.objects.filter(**date_range_q("date", filters))
    if filters.employee_id is not None:
        lines = lines.filter(employee_id=filters.employee_id)
    lines = lines.annotate(
        customer_ref=Coalesce("ticket__customer_id", "task__customer_id", "project__customer_id"),
        month=TruncMonth("date"),
    )
    if filters.customer_id is not None:
        lines = lines.filter(customer_ref=filters.customer_id)
    key = {"customer": "customer_ref", "project": "project_id", "employee": "employee_id", "month": "month"}
    parts = {
        "total": Q(),
        "billable": Q(sale_line__isnull=False),
        "invoiced": Q(invoice__isnull=False),
        "unbilled": Q(invoice__isnull=True, sale_line__invoice_policy=Product.InvoicePolicy.TIMESHEET),
    }
    sums = {name: Sum("hours", filter=q) for name, q in parts.items()}
    sums.update({f"{name}_billed": Sum(BILLED_HOURS, filter=q) for name, q in parts.items()})
    rows = lines.order_by().values(key[group_by]).annotate(**sums)
    figures = [*parts, *(f"{name}_billed" for name in parts)]
    return [(row[key[group_by]], *(_hours(row[name]) for name in figures)) for row in rows]


def _hours(value) -> Decimal | None:
    # SQLite sums decimals without their scale (41 for 41.00): hours have two decimals.
    return None if value is None else quantize_qty(value)


def unbilled_rows(*, filters) -> list[dict]:
    """Every row of the unbilled-work report (the invoicing rule, line by line)."""
    lines = OrderLine.objects.filter(order__state__in=CONFIRMED).filter(
        Q(is_downpayment=False, qty_to_invoice__gt=0) | Q(is_downpayment=True, qty_to_invoice__lt=0)
    )
    if filters.customer_id is not None:
        lines = lines.filter(order__customer_id=filters.customer_id)
    period = Q(**date_range_q("date", filters))
    hours = _unbilled_hours_per_line(lines, period)
    lines = list(lines.select_related("order__customer", "uom"))
    by_rate = rate_groups(lines=[line for line in lines if _bills_time(line)], in_period=period)
    rows, billing = [], set()
    for line in lines:
        quantity, in_period, actual = line.qty_to_invoice, None, None
        if _bills_time(line):
            total, in_period, actual = hours.get(line.pk, (ZERO, ZERO, ZERO))
            if not in_period:
                continue
            if in_period != total:
                quantity = min(quantity, hours_to_unit(in_period, line.uom))
        if not line.is_downpayment:
            billing.add(line.order_id)
        value = line_subtotal(quantity, line.price_unit, line.discount)
        if line.pk in by_rate:  # one invoice line per employee rate (invoicing.selectors.regular)
            groups = [group for group in by_rate[line.pk] if group.hours > 0]
            quantity = sum((group.quantity(line) for group in groups), ZERO)
            value = sum(
                (line_subtotal(g.quantity(line), g.price_unit(line), line.discount) for g in groups), ZERO
            )
        rows.append(_unbilled_row(line, in_period, actual, quantity, value, rated=line.pk in by_rate))
    rows = [row for row in rows if not row["is_downpayment"] or row["order_id"] in billing]
    return sorted(rows, key=lambda row: row.pop("sort"))


def _unbilled_hours_per_line(lines, period: Q) -> dict:
    """Order line id -> (unbilled billed hours, of them in the period, actual hours in the period)."""
    return {
        row["sale_line"]: (_hours(row["total"]), _hours(dec(row["in_period"])), _hours(dec(row["actual"])))
        for row in TimesheetLine.objects.filter(
            sale_line__in=lines.values("pk"),
            invoice__isnull=True,
            approval_state__in=INVOICEABLE_APPROVAL_STATES,
        )
        .order_by()
        .values("sale_line")
        .annotate(
            total=Sum(BILLED_HOURS),
            in_period=Sum(BILLED_HOURS, filter=period),
            actual=Sum("hours", filter=period),
        )
    }


def _unbilled_row(line: OrderLine, in_period, actual, quantity, value, *, rated: bool) -> dict:
    return {
        "line_id": line.pk,
        "order_id": line.order_id,
        "order": line.order.name,
        "customer": line.order.customer.name,
        "description": line.description,
        "policy": line.invoice_policy,
        "is_downpayment": line.is_downpayment,
        "hours": in_period,
        "actual_hours": actual,
        "quantity": quantity,
        "uom": line.uom.name,
        "price_unit": line.price_unit,
        "discount": line.discount,
        "value": value,
        "rated": rated,
        "sort": (line.order.customer.name, line.order.name, line.is_downpayment, line.sequence, line.pk),
    }


def _bills_time(line: OrderLine) -> bool:
    return line.invoice_policy == Product.InvoicePolicy.TIMESHEET and not line.is_downpayment


def burndown_rows(*, filters) -> list[dict]:
    """Every row of the burn-down report, with `order_date` for the chart."""
    lines = OrderLine.objects.filter(
        invoice_policy=Product.InvoicePolicy.PREPAID,
        is_downpayment=False,
        uom__category__kind=UomCategory.Kind.TIME,
        order__state__in=CONFIRMED,
        order__order_date__lte=filters.date_to,
    )
    if filters.customer_id is not None:
        lines = lines.filter(order__customer_id=filters.customer_id)
    in_period = Q(date__gte=filters.date_from) if filters.date_from else Q()
    used = {
        row["sale_line"]: (_hours(row["used"]), _hours(dec(row["in_period"])), _hours(row["actual"]))
        for row in TimesheetLine.objects.filter(sale_line__in=lines.values("pk"), date__lte=filters.date_to)
        .order_by()
        .values("sale_line")
        .annotate(used=Sum(BILLED_HOURS), in_period=Sum(BILLED_HOURS, filter=in_period), actual=Sum("hours"))
    }
    rows = []
    for line in lines.select_related("order__customer", "uom").order_by(
        "order__customer__name", "order__order_date", "order__name", "id"
    ):
        line_used, line_in_period, line_actual = used.get(line.pk, (ZERO, ZERO, ZERO))
        sold = quantize_qty(line.quantity * line.uom.ratio)
        if sold <= line_used and not line_in_period:
            continue
        rows.append(
            {
                "line_id": line.pk,
                "order_id": line.order_id,
                "order": line.order.name,
                "customer": line.order.customer.name,
                "description": line.description,
                "sold": sold,
                "used": line_used,
                "used_in_period": line_in_period,
                "used_actual": line_actual,
                "order_date": line.order.order_date,
            }
        )
    return rows


def used_by_month(*, line_ids: list[int], date_to: datetime.date) -> list[tuple[datetime.date, Decimal]]:
    return [
        (row["month"], _hours(row["hours"]))
        for row in TimesheetLine.objects.filter(sale_line_id__in=line_ids, date__lte=date_to)
        .annotate(month=TruncMonth("date"))
        .order_by("month")
        .values("month")
        .annotate(hours=Sum(BILLED_HOURS))
    ]
