"""Burn-down of prepaid hours: per prepaid time line, the hours left at the end of each of the
last 90 days and the day they run out at the pace of the last 30 days (the upsell forecast's
rule). Hours are the billed ones (SPEC Time policy: the billed duration is what delivered
quantities, remaining hours and invoices use), so a chart ends where "Remaining hours" says.
Three queries whatever the number of lines and timesheet lines."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils import timezone

from core.burndown_svg import burndown_svg
from core.display import format_day, format_hours
from core.money import quantize_qty
from sales.models import OrderLine, Product, UomCategory

from .models import BILLED_HOURS, TimesheetLine

WINDOW_DAYS = 90
PACE_DAYS = 30  # as the upsell forecast: the burn rate of the last 30 days, today included
ZERO = Decimal("0")


@dataclass(frozen=True)
class Burndown:
    line_id: int
    title: str
    sold: Decimal
    used: Decimal
    left: Decimal
    days: list[datetime.date]  # the window, oldest first
    remaining: list[Decimal]  # hours left at the end of each day of the window
    pace: Decimal  # hours per day over the last 30 days
    runs_out_on: datetime.date | None  # None: no hours used lately, no forecast

    @property
    def summary(self) -> str:
        """The chart as a sentence (its text alternative)."""
        text = (
            f"{self.title}: {format_hours(self.sold)} h sold, {format_hours(self.used)} h used, "
            f"{format_hours(self.left)} h left on {format_day(self.days[-1])}; "
            f"{format_hours(self.remaining[0])} h were left on {format_day(self.days[0])}."
        )
        if self.left <= 0:
            return text + " The hours are used up."
        if self.runs_out_on is None:
            return text + " No hours were used in the last 30 days: no forecast."
        return (
            text + f" At the pace of the last 30 days ({format_hours(self.pace)} h a day) the hours run out "
            f"on {format_day(self.runs_out_on)}."
        )

    @property
    def svg(self):
        return burndown_svg(
            chart_id=f"burndown-{self.line_id}",
            title=f"Hours left: {self.title}",
            description=self.summary,
            days=self.days,
            remaining=self.remaining,
            sold=self.sold,
            runs_out_on=self.runs_out_on,
        )


def prepaid_time_lines(lines) -> list[OrderLine]:
    """The prepaid lines sold in a time unit among `lines` (which need `uom__category` loaded)."""
    return [
        line
        for line in lines
        if line.invoice_policy == Product.InvoicePolicy.PREPAID
        and line.uom.category.kind == UomCategory.Kind.TIME
        and not line.is_downpayment
    ]


def _forecast(left: Decimal, pace: Decimal, today: datetime.date) -> datetime.date | None:
    if left <= 0:
        return today
    if pace <= 0:
        return None
    days = int((left / pace).to_integral_value(rounding=ROUND_CEILING))
    return today + datetime.timedelta(days=days)


def sale_lines_burndown(*, lines, today: datetime.date | None = None) -> list[Burndown]:
    """Burn-downs of the prepaid time lines among `lines`, in their order."""
    lines = prepaid_time_lines(lines)
    if not lines:
        return []
    today = today or timezone.localdate()
    start = today - datetime.timedelta(days=WINDOW_DAYS - 1)
    ids = [line.pk for line in lines]
    logged = TimesheetLine.objects.filter(sale_line_id__in=ids).order_by()
    before = dict(
        logged.filter(date__lt=start)
        .values("sale_line_id")
        .annotate(h=Sum(BILLED_HOURS))
        .values_list("sale_line_id", "h")
    )
    per_day: dict[int, dict[datetime.date, Decimal]] = {}
    for line_id, day, hours in (
        logged.filter(date__gte=start)
        .values("sale_line_id", "date")
        .annotate(h=Sum(BILLED_HOURS))
        .values_list("sale_line_id", "date", "h")
    ):
        per_day.setdefault(line_id, {})[day] = hours
    days = [start + datetime.timedelta(days=i) for i in range(WINDOW_DAYS)]
    pace_start = today - datetime.timedelta(days=PACE_DAYS - 1)
    return [
        _burndown(line, before.get(line.pk) or ZERO, per_day.get(line.pk, {}), days, pace_start)
        for line in lines
    ]


def _burndown(line, used_before, hours_by_day, days, pace_start) -> Burndown:
    today = days[-1]
    sold = quantize_qty(line.quantity * line.uom.ratio)
    remaining, running = [], sold - used_before
    for day in days:
        running -= hours_by_day.get(day, ZERO)
        remaining.append(quantize_qty(running))
    later = sum((h for d, h in hours_by_day.items() if d > today), ZERO)  # dated ahead (allowed: a week)
    left = quantize_qty(running - later)
    pace = sum((h for d, h in hours_by_day.items() if pace_start <= d <= today), ZERO) / PACE_DAYS
    return Burndown(
        line_id=line.pk,
        title=f"{line.order.name} – {line.description or line.product}",
        sold=sold,
        used=sold - left,
        left=left,
        days=days,
        remaining=remaining,
        pace=quantize_qty(pace),
        runs_out_on=_forecast(left, pace, today),
    )


def order_burndown_panel(*, request, order) -> str:
    """The order page's "Hours left" panel (staff): one chart per prepaid time line."""
    if order.state not in ("sale", "done"):
        return ""
    lines = order.lines.select_related("order", "product", "uom", "uom__category").order_by("sequence", "id")
    burndowns = sale_lines_burndown(lines=lines)
    if not burndowns:
        return ""
    return render_to_string(
        "timesheets/partials/burndown_panel.html", {"burndowns": burndowns}, request=request
    )
