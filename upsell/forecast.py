"""Upsell forecasts (selectors): the burn rate of a prepaid time line over the last 30 days
and the day its hours run out at that pace."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from django.conf import settings
from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.money import quantize_qty
from sales.models import OrderLine, Product, UomCategory
from sales.selectors import order_lines_with_remaining_hours
from timesheets.models import TimesheetLine

PREPAID = Product.InvoicePolicy.PREPAID
FORECAST_WINDOW_DAYS = 30
ZERO = Decimal("0")


def forecast_days() -> int:
    return int(getattr(settings, "UPSELL_FORECAST_DAYS", 14))


def _window_start(today: datetime.date) -> datetime.date:
    """First day of the burn-rate window: the last 30 days, today included."""
    return today - datetime.timedelta(days=FORECAST_WINDOW_DAYS - 1)


def _fmt(value: Decimal) -> str:
    """42.00 → "42", 39.75 → "39.75" (for summaries and keys)."""
    value = quantize_qty(value)
    return f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"


# --------------------------------------------------------------------------------------------
# Forecast (selectors)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Forecast:
    """Burn rate of a prepaid time line over the last 30 days and when its hours run out."""

    window_hours: Decimal  # hours logged on the line in the window
    burn_rate: Decimal  # h/day = window_hours / 30
    remaining_hours: Decimal
    runs_out_in_days: int | None  # None: nothing burnt lately (no forecast); 0: already out
    runs_out_on: datetime.date | None


def _forecast(*, remaining: Decimal, window_hours: Decimal, today: datetime.date) -> Forecast:
    burn = (window_hours / FORECAST_WINDOW_DAYS) if window_hours > 0 else ZERO
    if remaining <= 0:
        days: int | None = 0
    elif burn > 0:
        days = int((remaining / burn).to_integral_value(rounding=ROUND_CEILING))
    else:
        days = None
    return Forecast(
        window_hours=quantize_qty(window_hours),
        burn_rate=quantize_qty(burn),
        remaining_hours=quantize_qty(remaining),
        runs_out_in_days=days,
        runs_out_on=(today + datetime.timedelta(days=days)) if days is not None else None,
    )


def order_lines_forecast(
    *, lines: Iterable[OrderLine], today: datetime.date | None = None
) -> dict[int, Forecast]:
    """Forecasts of the `prepaid` lines in a time unit among `lines` (one query), by line id.

    Lines need `uom.category` loaded (select_related) to avoid a query per line.
    """
    today = today or timezone.localdate()
    eligible = [
        line
        for line in lines
        if line.invoice_policy == PREPAID and line.uom.category.kind == UomCategory.Kind.TIME
    ]
    if not eligible:
        return {}
    window = (
        TimesheetLine.objects.filter(
            sale_line=OuterRef("pk"), date__gte=_window_start(today), date__lte=today
        )
        .order_by()
        .values("sale_line")
        .annotate(h=Sum(Coalesce("billed_hours", "hours")))
        .values("h")
    )
    # Remaining hours by sales' one formula (exact, never from the rounded delivered quantity).
    figures = {
        pk: (remaining, window_hours)
        for pk, remaining, window_hours in order_lines_with_remaining_hours(
            OrderLine.objects.filter(pk__in=[line.pk for line in eligible])
        )
        .annotate(window_hours=Subquery(window))
        .values_list("pk", "remaining_hours", "window_hours")
    }
    return {
        line.pk: _forecast(
            remaining=figures[line.pk][0],
            window_hours=figures[line.pk][1] or ZERO,
            today=today,
        )
        for line in eligible
        if line.pk in figures and figures[line.pk][0] is not None
    }


def order_line_forecast(line: OrderLine, *, today: datetime.date | None = None) -> Forecast | None:
    """Forecast of one prepaid time line; None for other lines."""
    return order_lines_forecast(lines=[line], today=today).get(line.pk)
