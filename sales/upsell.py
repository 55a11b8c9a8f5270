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
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import (
    DecimalField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.errors import DomainError
from core.money import quantize_qty
from timesheets.models import TimesheetLine

from .models import Activity, Customer, Order, OrderLine, Product, Uom, UomCategory

logger = logging.getLogger(__name__)

PREPAID = Product.InvoicePolicy.PREPAID
FORECAST_WINDOW_DAYS = 30
ACTIVITY_DUE_DAYS = 2
ZERO = Decimal("0")
_QTY = DecimalField(max_digits=28, decimal_places=8)
# The sweep's follow-ups (dedupe keys "upsell:<line>:<sold>"); other upsell activities (a
# contract's overage, a person's own) are not the sweep's to remove.
SWEEP_KEY_PREFIX = "upsell:"
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
        .annotate(h=Sum(Coalesce("billed_hours", "hours")))
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


_GROUPS_SQL = """
WITH recent AS (
    SELECT t.sale_line_id AS line_id, SUM(COALESCE(t.billed_hours, t.hours)) AS hours
    FROM {timesheet} t
    WHERE t.sale_line_id IS NOT NULL AND t.date >= %(since)s AND t.date <= %(today)s
    GROUP BY t.sale_line_id
), candidate AS (
    -- A group can only qualify if one of its lines does on its own (a sum of lines each below a
    -- ratio stays below it), so only those groups are aggregated: no sort of every line.
    SELECT DISTINCT l.order_id, l.product_id
    FROM {line} l
    JOIN {order} o ON o.id = l.order_id
    JOIN {uom} u ON u.id = l.uom_id
    JOIN {category} c ON c.id = u.category_id
    JOIN {product} p ON p.id = l.product_id
    LEFT JOIN recent r ON r.line_id = l.id
    WHERE l.invoice_policy = %(prepaid)s AND NOT l.is_downpayment AND o.state = %(sale)s {only_orders}
      AND (l.qty_delivered * 100 >= l.quantity * COALESCE(p.upsell_threshold, 100)
           OR (c.kind = %(time)s AND r.hours > 0
               AND (l.quantity - l.qty_delivered) * u.ratio * %(window_days)s <= r.hours * %(days)s))
), grp AS (
    SELECT l.order_id, l.product_id, MIN(l.id) AS first_line,
           SUM(l.quantity * u.ratio) AS sold,
           SUM(l.qty_delivered * u.ratio) AS delivered,
           MAX(p.upsell_threshold) AS threshold,
           MIN(CASE WHEN c.kind = %(time)s THEN 1 ELSE 0 END) AS is_time,
           SUM(COALESCE(r.hours, 0)) AS window_hours
    FROM {line} l
    JOIN candidate k ON k.order_id = l.order_id AND k.product_id = l.product_id
    JOIN {uom} u ON u.id = l.uom_id
    JOIN {category} c ON c.id = u.category_id
    JOIN {product} p ON p.id = l.product_id
    LEFT JOIN recent r ON r.line_id = l.id
    WHERE l.invoice_policy = %(prepaid)s AND NOT l.is_downpayment
    GROUP BY l.order_id, l.product_id
)
SELECT g.order_id, g.product_id, g.first_line, g.sold, g.delivered, g.threshold, g.is_time, g.window_hours,
       o.name AS order_name, cu.name AS customer_name, o.salesperson_id,
       CASE WHEN g.delivered >= g.sold
                 OR (g.threshold IS NOT NULL AND g.delivered * 100 >= g.sold * g.threshold)
            THEN %(consumed)s ELSE %(forecast)s END AS reason
FROM grp g
JOIN {order} o ON o.id = g.order_id
JOIN {customer} cu ON cu.id = o.customer_id
WHERE g.sold > 0 AND (
    g.delivered >= g.sold
    OR (g.threshold IS NOT NULL AND g.delivered * 100 >= g.sold * g.threshold)
    OR (g.is_time = 1 AND g.window_hours > 0
        AND (g.sold - g.delivered) * %(window_days)s <= g.window_hours * %(days)s)
)
"""


def _dec(value) -> Decimal:
    """Aggregates come back as Decimal (PostgreSQL) or int/float (SQLite)."""
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def _groups_sql(*, order_ids: list[int] | None, today: datetime.date) -> tuple[str, dict]:
    params = {
        "since": _window_start(today),
        "today": today,
        "time": UomCategory.Kind.TIME.value,
        "prepaid": PREPAID.value,
        "sale": Order.State.SALE.value,
        "window_days": FORECAST_WINDOW_DAYS,
        "days": forecast_days(),
        "consumed": Order.UpsellReason.CONSUMED.value,
        "forecast": Order.UpsellReason.FORECAST.value,
    }
    only_orders = ""
    if order_ids is not None:
        # Always at least one placeholder: `IN (NULL)` matches nothing.
        only_orders = (
            "AND l.order_id IN (" + (", ".join(f"%(o{i})s" for i in range(len(order_ids))) or "NULL") + ")"
        )
        params.update({f"o{i}": int(oid) for i, oid in enumerate(order_ids)})
    q = connection.ops.quote_name
    sql = _GROUPS_SQL.format(
        timesheet=q(TimesheetLine._meta.db_table),
        line=q(OrderLine._meta.db_table),
        order=q(Order._meta.db_table),
        uom=q(Uom._meta.db_table),
        category=q(UomCategory._meta.db_table),
        product=q(Product._meta.db_table),
        customer=q(Customer._meta.db_table),
        only_orders=only_orders,
    )
    return sql, params


_GROUP_COLUMNS = (
    "order_id",
    "product_id",
    "first_line",
    "sold",
    "delivered",
    "threshold",
    "is_time",
    "window",
    "order__name",
    "order__customer__name",
    "order__salesperson_id",
    "reason",
)


def _group_dicts(rows) -> list[dict]:
    groups = []
    for row in rows:
        g = dict(zip(_GROUP_COLUMNS, row, strict=True))
        for key in ("sold", "delivered", "threshold", "window"):
            g[key] = _dec(g[key])
        g["is_time"] = bool(g["is_time"])
        groups.append(g)
    return groups


def upsell_groups(
    *, order_ids: Iterable[int] | None = None, today: datetime.date | None = None
) -> list[dict]:
    """The (order, product) groups that are upsell opportunities now: ONE aggregate query.

    Each dict: order_id, product_id, first_line (id), sold, delivered (in the unit category's
    reference unit: hours for time), threshold, is_time, window (hours logged on the group's lines
    in the last 30 days), reason ("consumed"/"forecast"), order name, customer name, salesperson.

    Plain SQL (standard: CTEs, joins, aggregates; runs on PostgreSQL and SQLite): the ORM cannot
    join the per-line window aggregate without a correlated subquery per line, which took seconds
    at 100 000 lines.
    """
    sql, params = _groups_sql(
        order_ids=list(order_ids) if order_ids is not None else None, today=today or timezone.localdate()
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return _group_dicts(cursor.fetchall())


def _activity_summary(group: dict) -> str:
    unit = " h" if group["is_time"] else ""
    verb = "used" if group["reason"] == Order.UpsellReason.CONSUMED else "will run out soon:"
    return (
        f"Upsell: {group['order__name']} – {group['order__customer__name']} {verb} "
        f"{_fmt(group['delivered'])} of {_fmt(group['sold'])}{unit}"
    )[:200]


def _dedupe_key(group: dict) -> str:
    return f"{SWEEP_KEY_PREFIX}{group['first_line']}:{_fmt(group['sold'])}"


_TMP = "upsell_sweep_groups"
_TMP_COLUMNS = [
    f"g.{c}"
    for c in (
        "order_id",
        "product_id",
        "first_line",
        "sold",
        "delivered",
        "threshold",
        "is_time",
        "window_hours",
        "order_name",
        "customer_name",
        "salesperson_id",
        "reason",
    )
]


def upsell_sweep(
    *, order_ids: Iterable[int] | None = None, now: datetime.datetime | None = None
) -> SweepResult:
    """Flag / unflag upsell opportunities and create their follow-ups. A fixed number of queries.

    The opportunities are computed once into a temporary table; every update joins it, so no
    statement grows with the number of orders. `order_ids` restricts the sweep to those orders
    (after "add hours" or "lock" on one order). Safe to run twice or concurrently: activities are
    unique by `dedupe_key` (the database refuses a second one) and, on PostgreSQL, sweeps are
    serialised by a transaction-level advisory lock (so the e-mails go out once too).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    order_ids = [int(i) for i in order_ids] if order_ids is not None else None
    result = SweepResult()
    q = connection.ops.quote_name
    order_t, line_t = q(Order._meta.db_table), q(OrderLine._meta.db_table)
    scope_o = scope_l = ""
    scope_params: dict = {}
    if order_ids is not None:
        marks = ", ".join(f"%(s{i})s" for i in range(len(order_ids))) or "NULL"
        scope_o, scope_l = f"AND id IN ({marks})", f"AND order_id IN ({marks})"
        scope_params = {f"s{i}": oid for i, oid in enumerate(order_ids)}
    prepaid_line = "invoice_policy = %(prepaid)s AND NOT is_downpayment"
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SWEEP_LOCK_KEY])
        sql, params = _groups_sql(order_ids=order_ids, today=today)
        cursor.execute(f"DROP TABLE IF EXISTS {_TMP}")
        cursor.execute(f"CREATE TEMPORARY TABLE {_TMP} AS {sql}", params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {_TMP}")  # the planner's row estimates for the joins below
        cursor.execute(
            f"SELECT {', '.join(_TMP_COLUMNS)}, o.is_upsell "
            f"FROM {_TMP} g JOIN {order_t} o ON o.id = g.order_id"
        )
        rows = cursor.fetchall()
        groups = _group_dicts(row[:-1] for row in rows)
        result.flagged = len({row[0] for row in rows if not row[-1]})
        result.total = len({g["order_id"] for g in groups})

        # Orders no longer opportunities (more sold, locked, ...) leave the list.
        cursor.execute(
            f"UPDATE {order_t} SET is_upsell = %(false)s, upsell_reason = '', upsell_flagged_at = NULL "
            f"WHERE (is_upsell OR upsell_flagged_at IS NOT NULL) {scope_o} "
            f"AND id NOT IN (SELECT order_id FROM {_TMP})",
            {"false": False, **scope_params},
        )
        result.cleared = cursor.rowcount
        # The others are flagged, keeping the first flag time. MIN(reason): "consumed" < "forecast",
        # so consumed wins.
        cursor.execute(
            f"UPDATE {order_t} SET is_upsell = %(true)s, upsell_reason = r.reason, "
            f"upsell_flagged_at = COALESCE({order_t}.upsell_flagged_at, %(now)s) "
            f"FROM (SELECT order_id, MIN(reason) AS reason FROM {_TMP} GROUP BY order_id) r "
            f"WHERE {order_t}.id = r.order_id AND {order_t}.state = %(sale)s AND (NOT {order_t}.is_upsell "
            f"OR {order_t}.upsell_reason <> r.reason OR {order_t}.upsell_flagged_at IS NULL)",
            # The state is checked again on the row itself: an order locked after the groups were
            # computed (PostgreSQL re-reads a row it waited for) is not flagged again.
            {"true": True, "now": now, "sale": Order.State.SALE.value},
        )
        # Lines: flagged exactly when their group is.
        in_group = f"(order_id, product_id) IN (SELECT order_id, product_id FROM {_TMP})"
        cursor.execute(
            f"UPDATE {line_t} SET upsell_flagged_at = NULL WHERE upsell_flagged_at IS NOT NULL {scope_l} "
            f"AND NOT ({prepaid_line} AND {in_group})",
            {"prepaid": PREPAID.value, **scope_params},
        )
        cursor.execute(
            f"UPDATE {line_t} SET upsell_flagged_at = %(now)s "
            f"WHERE upsell_flagged_at IS NULL AND {prepaid_line} AND {in_group}",
            {"now": now, "prepaid": PREPAID.value},
        )
        # Follow-ups: one per opportunity; the unique key makes the database refuse duplicates.
        wanted = {_dedupe_key(g): g for g in groups}
        cursor.execute(
            f"SELECT a.dedupe_key FROM {q(Activity._meta.db_table)} a "
            f"JOIN {_TMP} g ON a.order_line_id = g.first_line WHERE a.kind = %(kind)s",
            {"kind": Activity.Kind.UPSELL.value},
        )
        existing = {row[0] for row in cursor.fetchall()}
        cursor.execute(f"DROP TABLE {_TMP}")
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
        # Locked or cancelled orders are off the list: their open follow-ups go too (also one made
        # just now for an order locked while this sweep ran; this statement sees that commit).
        cursor.execute(
            f"DELETE FROM {q(Activity._meta.db_table)} WHERE kind = %(kind)s AND NOT done "
            f"AND dedupe_key LIKE %(sweep_keys)s "
            f"AND order_id IN (SELECT id FROM {order_t} WHERE state <> %(sale)s {scope_o})",
            {
                "kind": Activity.Kind.UPSELL.value,
                "sweep_keys": SWEEP_KEY_PREFIX + "%",
                "sale": Order.State.SALE.value,
                **scope_params,
            },
        )
        if new:
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


def upsell_clear_order(*, order_id: int) -> None:
    """An order leaving `sale` (locked) is no opportunity any more: its flags are cleared and the
    sweep's open follow-ups on it removed (other upsell activities, e.g. a contract's, stay).
    Called by `order_lock` inside its transaction (order row locked); writes the order, then its
    lines, then its activities (the fixed lock order)."""
    Order.objects.filter(pk=order_id).update(is_upsell=False, upsell_reason="", upsell_flagged_at=None)
    flagged_lines = OrderLine.objects.filter(order_id=order_id, upsell_flagged_at__isnull=False)
    flagged_lines.update(upsell_flagged_at=None)
    Activity.objects.filter(
        order_id=order_id, kind=Activity.Kind.UPSELL, done=False, dedupe_key__startswith=SWEEP_KEY_PREFIX
    ).delete()


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
