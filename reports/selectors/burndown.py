"""Prepaid burn-down: hours sold on prepaid lines, hours used, what is left, month by month.

Contract periods (the `contracts` app, when installed) are prepaid lines too: each period is a
confirmed order with one prepaid line; `contract_periods` labels those lines with their
contract and period.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth

from core.money import ZERO, quantize_qty
from sales.models import OrderLine, Product, UomCategory
from timesheets.models import TimesheetLine

from .billing import CONFIRMED
from .common import dec, month_starts

HOURS = F("quantity") * F("uom__ratio")


@dataclass
class BurndownRow:
    line: OrderLine
    sold: Decimal
    used: Decimal  # up to the report's end date
    used_in_period: Decimal
    contract: str = ""  # "Contract #3 · 2026-11-01 – 2026-11-30" for a contract period

    @property
    def remaining(self) -> Decimal:
        return self.sold - self.used

    @property
    def used_percent(self) -> Decimal | None:
        return quantize_qty(self.used * 100 / self.sold) if self.sold else None


@dataclass
class BurndownPoint:
    month: datetime.date
    sold: Decimal
    used: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.sold - self.used

    @property
    def label(self) -> str:
        return self.month.strftime("%Y-%m")


@dataclass
class BurndownReport:
    rows: list[BurndownRow] = field(default_factory=list)
    points: list[BurndownPoint] = field(default_factory=list)
    sold: Decimal = ZERO
    used: Decimal = ZERO
    used_in_period: Decimal = ZERO
    contracts_installed: bool = False

    @property
    def remaining(self) -> Decimal:
        return self.sold - self.used


def _used(until: datetime.date, since: datetime.date | None = None):
    period = Q(sale_line=OuterRef("pk"), date__lte=until)
    if since is not None:
        period &= Q(date__gte=since)
    return Coalesce(
        Subquery(
            TimesheetLine.objects.filter(period)
            .order_by()
            .values("sale_line")
            .annotate(total=Sum("hours"))
            .values("total")[:1]
        ),
        ZERO,
    )


def prepaid_lines(*, filters):
    """Prepaid lines sold in a time unit on confirmed orders dated up to the end date that still
    have hours left then, or were used during the period."""
    lines = OrderLine.objects.filter(
        invoice_policy=Product.InvoicePolicy.PREPAID,
        is_downpayment=False,
        uom__category__kind=UomCategory.Kind.TIME,
        order__state__in=CONFIRMED,
        order__order_date__lte=filters.date_to,
    )
    if filters.customer_id is not None:
        lines = lines.filter(order__customer_id=filters.customer_id)
    lines = lines.annotate(
        sold_hours=HOURS,
        used_hours=_used(filters.date_to),
        used_in_period=_used(filters.date_to, filters.date_from),
    )
    return lines.filter(Q(sold_hours__gt=F("used_hours")) | Q(used_in_period__gt=0))


def prepaid_burndown(*, filters) -> BurndownReport:
    """Two queries, + 1 for the contract periods of the lines when the contracts app is
    installed: the lines with their hours, the hours used per month for the chart."""
    report = BurndownReport(contracts_installed=apps.is_installed("contracts"))
    lines = prepaid_lines(filters=filters)
    for line in lines.select_related("order__customer", "product", "uom").order_by(
        "order__customer__name", "order__order_date", "order__name", "id"
    ):
        row = BurndownRow(
            line=line,
            sold=quantize_qty(line.sold_hours),
            used=line.used_hours,
            used_in_period=line.used_in_period,
        )
        report.rows.append(row)
        report.sold += row.sold
        report.used += row.used
        report.used_in_period += row.used_in_period
    if report.contracts_installed and report.rows:
        labels = contract_periods(order_line_ids=[row.line.pk for row in report.rows])
        for row in report.rows:
            row.contract = labels.get(row.line.pk, "")
    report.points = _points(report.rows, lines, filters)
    return report


def _points(rows: list[BurndownRow], lines, filters) -> list[BurndownPoint]:
    """Sold and used hours accumulated to the end of each month of the period."""
    if not rows:
        return []
    start = filters.date_from or min(row.line.order.order_date for row in rows)
    used_by_month = {
        row["month"]: dec(row["hours"])
        for row in TimesheetLine.objects.filter(sale_line__in=lines.values("pk"), date__lte=filters.date_to)
        .annotate(month=TruncMonth("date"))
        .order_by()
        .values("month")
        .annotate(hours=Sum("hours"))
    }
    points = []
    for month in month_starts(start, filters.date_to):
        next_month = month_starts(month, month + datetime.timedelta(days=31))[-1]
        sold = sum((r.sold for r in rows if r.line.order.order_date < next_month), ZERO)
        used = sum((hours for m, hours in used_by_month.items() if m <= month), ZERO)
        points.append(BurndownPoint(month=month, sold=sold, used=used))
    return points


def contract_periods(*, order_line_ids: list[int]) -> dict[int, str]:
    """Order line id → "Contract #N · start – end" for lines that are contract periods. The
    selector hook to the `contracts` app: empty while that app is not installed."""
    if not apps.is_installed("contracts"):
        return {}
    from contracts.models import ContractPeriod  # a feature room beside us, only when installed

    periods = ContractPeriod.objects.filter(order_line_id__in=order_line_ids).only(
        "order_line_id", "contract_id", "start", "end", "closed_at"
    )
    return {
        period.order_line_id: f"Contract #{period.contract_id} · {period.start} – {period.end}"
        + (" (closed)" if period.closed_at else "")
        for period in periods
    }
