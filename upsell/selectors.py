"""Upsell reads: the upsell list (flagged orders with their prepaid lines' figures) and the
follow-up activities of a salesperson."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from sales.models import Order, OrderLine, Product

from .forecast import PREPAID, order_lines_forecast
from .models import Activity


def upsell_orders() -> QuerySet[Order]:
    """Flagged orders with customer, salesperson, prepaid lines (units loaded) and the last activity."""
    last_activity = Activity.objects.filter(order_id=OuterRef("pk")).order_by("-created_at", "-id")
    return (
        Order.objects.filter(is_upsell=True, state=Order.State.SALE)
        .select_related("customer", "salesperson")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=OrderLine.objects.filter(invoice_policy=PREPAID, is_downpayment=False)
                .select_related("product", "uom__category")
                .order_by("sequence", "id"),
                to_attr="prepaid_lines",
            )
        )
        .annotate(
            last_activity_summary=Subquery(last_activity.values("summary")[:1]),
            last_activity_due=Subquery(last_activity.values("due_date")[:1]),
            last_activity_done=Subquery(last_activity.values("done")[:1]),
        )
        .order_by("upsell_flagged_at", "id")
    )


def upsell_rows(orders: Iterable[Order], *, today: datetime.date | None = None) -> list[dict]:
    """Orders of `upsell_orders()` with per-line figures (ordered, delivered, percent, forecast).

    One extra query (the forecasts of all lines together).
    """
    orders = list(orders)
    forecasts = order_lines_forecast(lines=[ln for o in orders for ln in o.prepaid_lines], today=today)
    rows = []
    for order in orders:
        lines = []
        for ln in order.prepaid_lines:
            fc = forecasts.get(ln.pk)
            percent = (
                (ln.qty_delivered * 100 / ln.quantity).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
                if ln.quantity
                else None
            )
            lines.append(
                {
                    "line": ln,
                    "ordered": ln.quantity,
                    "delivered": ln.qty_delivered,
                    "percent": percent,
                    "remaining_hours": fc.remaining_hours if fc else None,
                    "forecast": fc,
                    "flagged": ln.upsell_flagged_at is not None,
                }
            )
        days = [ln["forecast"].runs_out_in_days for ln in lines if ln["forecast"] and ln["flagged"]]
        days = [d for d in days if d is not None]
        rows.append({"order": order, "lines": lines, "runs_out_in_days": min(days) if days else None})
    return rows


def upsell_order_products(*, order: Order) -> list[Product]:
    """The products of an order's prepaid lines (choices of "add hours to this order")."""
    ids = prepaid_lines_of_sale_orders([order.pk]).values("product_id")
    return list(Product.objects.filter(id__in=ids).order_by("name", "id"))


def prepaid_lines_of_sale_orders(order_ids: Iterable[int] | None) -> QuerySet[OrderLine]:
    """The prepaid lines (not down payments) with a product of confirmed orders (all, or `order_ids`)."""
    lines = OrderLine.objects.filter(
        invoice_policy=PREPAID, is_downpayment=False, product__isnull=False, order__state=Order.State.SALE
    )
    if order_ids is not None:
        lines = lines.filter(order_id__in=list(order_ids))
    return lines


def activities_for(*, user, include_done: bool = False) -> QuerySet[Activity]:
    qs = Activity.objects.filter(user=user).select_related("order__customer")
    if not include_done:
        qs = qs.filter(done=False)
    return qs.order_by("done", "due_date", "id")


def activity_open_count(*, user) -> int:
    return Activity.objects.filter(user=user, done=False).count()
