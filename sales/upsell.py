"""Upsell opportunities: the sweep (service), forecasts and lists (selectors), follow-up activities.

Rules (SPEC Upsell, team brief):
- An opportunity is a *group*: the `prepaid` lines of one confirmed (`sale`) order for one product,
  taken together (sold = Σ quantity, delivered = Σ delivered, both in the unit category's
  reference unit, i.e. hours for time). Selling more on the order (a new line for the product, or a
  raised quantity) grows `sold`, which is how "selling more" takes the order off the list.
- A group is flagged **consumed** when delivered ≥ sold, or delivered ≥ the product's
  `upsell_threshold` percent of sold; **forecast** when (time units only) its remaining hours run
  out within `UPSELL_FORECAST_DAYS` at the burn rate of the last 30 days. Consumed wins.
- The sweep recomputes the flags from the stored quantities with a fixed number of queries and
  clears flags that no longer hold (more sold, order locked, ...).
- One follow-up activity per opportunity: `Activity.dedupe_key = "upsell:<first line id>:<sold>"`
  is unique in the database, so two sweeps (even concurrent ones) never insert it twice, and
  selling more (a new `sold`) allows a new one later.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import (
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.errors import DomainError
from core.money import quantize_qty
from timesheets.models import TimesheetLine

from .models import Activity, Order, OrderLine, Product, UomCategory

logger = logging.getLogger(__name__)

PREPAID = Product.InvoicePolicy.PREPAID
FORECAST_WINDOW_DAYS = 30
ACTIVITY_DUE_DAYS = 2
ZERO = Decimal("0")
_QTY = DecimalField(max_digits=28, decimal_places=8)
# Serialises sweeps on PostgreSQL (the unique dedupe_key is the rule; this keeps e-mails exact).
_SWEEP_LOCK_KEY = 0x5E11_5EE9


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
    hours = dict(
        TimesheetLine.objects.filter(
            sale_line_id__in=[line.pk for line in eligible], date__gte=_window_start(today), date__lte=today
        )
        .order_by()
        .values("sale_line_id")
        .annotate(h=Sum("hours"))
        .values_list("sale_line_id", "h")
    )
    return {
        line.pk: _forecast(
            remaining=(line.quantity - line.qty_delivered) * line.uom.ratio,
            window_hours=hours.get(line.pk) or ZERO,
            today=today,
        )
        for line in eligible
    }


def order_line_forecast(line: OrderLine, *, today: datetime.date | None = None) -> Forecast | None:
    """Forecast of one prepaid time line; None for other lines."""
    return order_lines_forecast(lines=[line], today=today).get(line.pk)


# --------------------------------------------------------------------------------------------
# Sweep (service)
# --------------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    flagged: int = 0  # orders newly flagged by this run
    cleared: int = 0  # orders taken off the list
    total: int = 0  # orders flagged after the run
    activities: int = 0  # follow-up activities created
    activity_ids: list[int] = field(default_factory=list)


def _prepaid_lines(order_ids: Iterable[int] | None) -> QuerySet[OrderLine]:
    lines = OrderLine.objects.filter(
        invoice_policy=PREPAID, is_downpayment=False, product__isnull=False, order__state=Order.State.SALE
    )
    if order_ids is not None:
        lines = lines.filter(order_id__in=list(order_ids))
    return lines


def upsell_groups(
    *, order_ids: Iterable[int] | None = None, today: datetime.date | None = None
) -> list[dict]:
    """The (order, product) groups that are upsell opportunities now: one aggregate query.

    Each dict: order_id, product_id, first_line (id), sold, delivered (reference unit), threshold,
    is_time, window (hours logged in the last 30 days), reason ("consumed"/"forecast") + order and
    customer names and the salesperson for the follow-up.
    """
    today = today or timezone.localdate()
    days = forecast_days()
    window_hours = Subquery(
        TimesheetLine.objects.filter(
            sale_line_id=OuterRef("pk"), date__gte=_window_start(today), date__lte=today
        )
        .order_by()
        .values("sale_line_id")
        .annotate(h=Sum("hours"))
        .values("h"),
        output_field=_QTY,
    )
    is_time = Q(uom__category__kind=UomCategory.Kind.TIME)
    rows = (
        _prepaid_lines(order_ids)
        # The burn rate only matters for time lines not yet used up; skip the lookup elsewhere.
        .annotate(
            line_window=Case(
                When(is_time & Q(qty_delivered__lt=F("quantity")), then=Coalesce(window_hours, Value(ZERO))),
                default=Value(ZERO),
                output_field=_QTY,
            )
        )
        .values(
            "order_id",
            "product_id",
            "order__name",
            "order__customer__name",
            "order__salesperson_id",
            "order__salesperson__email",
            "product__uom__category__kind",
        )
        .annotate(
            first_line=Min("id"),
            sold=Sum(ExpressionWrapper(F("quantity") * F("uom__ratio"), output_field=_QTY)),
            delivered=Sum(ExpressionWrapper(F("qty_delivered") * F("uom__ratio"), output_field=_QTY)),
            threshold=Max("product__upsell_threshold"),
            window=Sum("line_window"),
        )
        .annotate(
            delivered100=ExpressionWrapper(F("delivered") * 100, output_field=_QTY),
            sold_threshold=ExpressionWrapper(F("sold") * F("threshold"), output_field=_QTY),
            remaining30=ExpressionWrapper(
                (F("sold") - F("delivered")) * FORECAST_WINDOW_DAYS, output_field=_QTY
            ),
            window_days=ExpressionWrapper(F("window") * days, output_field=_QTY),
        )
        .filter(sold__gt=0)
        .filter(
            Q(delivered__gte=F("sold"))
            | Q(threshold__isnull=False, delivered100__gte=F("sold_threshold"))
            | Q(
                product__uom__category__kind=UomCategory.Kind.TIME,
                window__gt=0,
                remaining30__lte=F("window_days"),
            )
        )
        .order_by()
    )
    groups = []
    for row in rows:
        consumed = row["delivered"] >= row["sold"] or (
            row["threshold"] is not None and row["delivered"] * 100 >= row["sold"] * row["threshold"]
        )
        row["reason"] = Order.UpsellReason.CONSUMED if consumed else Order.UpsellReason.FORECAST
        row["is_time"] = row["product__uom__category__kind"] == UomCategory.Kind.TIME
        groups.append(row)
    return groups


def _activity_summary(group: dict) -> str:
    unit = " h" if group["is_time"] else ""
    verb = "used" if group["reason"] == Order.UpsellReason.CONSUMED else "will run out soon:"
    return (
        f"Upsell: {group['order__name']} – {group['order__customer__name']} {verb} "
        f"{_fmt(group['delivered'])} of {_fmt(group['sold'])}{unit}"
    )[:200]


def _dedupe_key(group: dict) -> str:
    return f"upsell:{group['first_line']}:{_fmt(group['sold'])}"


def upsell_sweep(
    *, order_ids: Iterable[int] | None = None, now: datetime.datetime | None = None
) -> SweepResult:
    """Flag / unflag upsell opportunities and create their follow-ups. Fixed number of queries.

    `order_ids` restricts the sweep to those orders (after "add hours" or "lock" on one order).
    Safe to run twice or concurrently: activities are unique by `dedupe_key` (the database
    refuses a second one) and, on PostgreSQL, sweeps are serialised by an advisory lock.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    order_ids = list(order_ids) if order_ids is not None else None
    result = SweepResult()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SWEEP_LOCK_KEY])
        groups = upsell_groups(order_ids=order_ids, today=today)

        reason_by_order: dict[int, str] = {}
        flagged_groups = set()
        for g in groups:
            flagged_groups.add((g["order_id"], g["product_id"]))
            if reason_by_order.get(g["order_id"]) != Order.UpsellReason.CONSUMED:
                reason_by_order[g["order_id"]] = g["reason"]
        flagged_ids = list(reason_by_order)

        # Orders: clear those no longer opportunities, flag the others (keeping the first flag time).
        scope = Order.objects.all() if order_ids is None else Order.objects.filter(id__in=order_ids)
        result.cleared = (
            scope.filter(Q(is_upsell=True) | Q(upsell_flagged_at__isnull=False))
            .exclude(id__in=flagged_ids)
            .update(is_upsell=False, upsell_reason=Order.UpsellReason.NONE, upsell_flagged_at=None)
        )
        result.flagged = Order.objects.filter(id__in=flagged_ids, is_upsell=False).count()
        for reason in (Order.UpsellReason.CONSUMED, Order.UpsellReason.FORECAST):
            ids = [oid for oid, r in reason_by_order.items() if r == reason]
            if ids:
                Order.objects.filter(id__in=ids).exclude(is_upsell=True, upsell_reason=reason).update(
                    is_upsell=True,
                    upsell_reason=reason,
                    upsell_flagged_at=Coalesce("upsell_flagged_at", Value(now)),
                )
        result.total = len(flagged_ids)

        # Lines: flagged exactly when their group is.
        line_rows = list(
            _prepaid_lines(flagged_ids).values_list("id", "order_id", "product_id", "upsell_flagged_at")
        )
        flag_line_ids = [
            lid for lid, oid, pid, at in line_rows if (oid, pid) in flagged_groups and at is None
        ]
        keep_line_ids = [lid for lid, oid, pid, _ in line_rows if (oid, pid) in flagged_groups]
        lines_scope = (
            OrderLine.objects.all() if order_ids is None else OrderLine.objects.filter(order_id__in=order_ids)
        )
        lines_scope.filter(upsell_flagged_at__isnull=False).exclude(id__in=keep_line_ids).update(
            upsell_flagged_at=None
        )
        if flag_line_ids:
            OrderLine.objects.filter(id__in=flag_line_ids).update(upsell_flagged_at=now)

        # Follow-ups: one per opportunity, the unique key makes the database refuse duplicates.
        wanted = {_dedupe_key(g): g for g in groups}
        existing = set(
            Activity.objects.filter(dedupe_key__in=list(wanted)).values_list("dedupe_key", flat=True)
        )
        due = today + datetime.timedelta(days=ACTIVITY_DUE_DAYS)
        new = [
            Activity(
                kind=Activity.Kind.UPSELL,
                summary=_activity_summary(g),
                user_id=g["order__salesperson_id"],
                order_id=g["order_id"],
                order_line_id=g["first_line"],
                due_date=due,
                dedupe_key=key,
            )
            for key, g in wanted.items()
            if key not in existing
        ]
        if new:
            Activity.objects.bulk_create(new, ignore_conflicts=True)
            created = list(
                Activity.objects.filter(
                    dedupe_key__in=[a.dedupe_key for a in new], created_at__gte=now
                ).values_list("id", "user__email", "summary")
            )
            result.activities = len(created)
            result.activity_ids = [row[0] for row in created]
            mails: dict[str, list[str]] = defaultdict(list)
            for _id, email, summary in created:
                if email:
                    mails[email].append(summary)
            if mails:
                transaction.on_commit(partial(_send_upsell_mails, dict(mails)))
    logger.info(
        "upsell sweep: %s newly flagged, %s cleared, %s flagged, %s activities",
        result.flagged,
        result.cleared,
        result.total,
        result.activities,
    )
    return result


def _send_upsell_mails(mails: dict[str, list[str]]) -> None:
    for email, summaries in mails.items():
        body = "New upsell opportunities to follow up:\n\n" + "\n".join(f"- {s}" for s in summaries)
        body += "\n\nSee the upsell list in the billing portal."
        try:
            send_mail(
                subject=summaries[0] if len(summaries) == 1 else f"{len(summaries)} new upsell opportunities",
                message=body,
                from_email=None,
                recipient_list=[email],
            )
        except Exception:  # a mail server hiccup must not undo the sweep
            logger.exception("could not e-mail upsell opportunities to %s", email)


# --------------------------------------------------------------------------------------------
# Upsell list (selectors)
# --------------------------------------------------------------------------------------------


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
            percent = (ln.qty_delivered * 100 / ln.quantity).quantize(Decimal("1")) if ln.quantity else None
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
    ids = _prepaid_lines([order.pk]).values("product_id")
    return list(Product.objects.filter(id__in=ids).order_by("name", "id"))


def upsell_add_hours(*, order: Order, product: Product, quantity: Decimal, user) -> OrderLine:
    """Sell more: a new prepaid line for `product` on the order, then re-sweep that order."""
    from . import services  # the billing engine's services (module attribute: stubs may be swapped)

    if order.state != Order.State.SALE:
        raise DomainError("Only confirmed orders can get more hours.", field="quantity")
    if quantity is None or quantity <= 0:
        raise DomainError("Enter a quantity greater than zero.", field="quantity")
    with transaction.atomic():
        line = services.order_line_add(order=order, product=product, user=user, quantity=quantity)
        upsell_sweep(order_ids=[order.pk])
    return line


def upsell_lock_order(*, order: Order, user) -> Order:
    """Lock the order (no more upsell flagging) and take it off the list."""
    from . import services

    with transaction.atomic():
        order = services.order_lock(order=order, user=user)
        upsell_sweep(order_ids=[order.pk])
    return order


# --------------------------------------------------------------------------------------------
# Activities
# --------------------------------------------------------------------------------------------


def activities_open_for(*, user) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(user=user, done=False)
        .select_related("order__customer")
        .order_by("due_date", "id")
    )


def activities_for(*, user, include_done: bool = False) -> QuerySet[Activity]:
    qs = Activity.objects.filter(user=user).select_related("order__customer")
    if not include_done:
        qs = qs.filter(done=False)
    return qs.order_by("done", "due_date", "id")


def activity_open_count(*, user) -> int:
    return Activity.objects.filter(user=user, done=False).count()


def activity_mark_done(*, activity: Activity, user, done: bool = True) -> Activity:
    """Mark an activity done (or undone again). Only its owner may."""
    if activity.user_id != user.pk:
        raise DomainError("This activity is not yours.")
    with transaction.atomic():
        Activity.objects.filter(pk=activity.pk).update(
            done=done, done_at=timezone.now() if done else None, updated_at=timezone.now()
        )
        activity.refresh_from_db()
    return activity


def activity_mark_undone(*, activity: Activity, user) -> Activity:
    return activity_mark_done(activity=activity, user=user, done=False)
