"""The upsell sweep (service): flag and unflag the opportunities of `groups.upsell_groups` on
orders and lines, and create one follow-up activity per opportunity.

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
from functools import partial

from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone

from core.faults import fault_pause
from core.money import quantize_qty
from sales.models import Order, OrderLine

from .forecast import PREPAID
from .groups import _group_dicts, _groups_sql
from .models import Activity

logger = logging.getLogger(__name__)

ACTIVITY_DUE_DAYS = 2
# The sweep's follow-ups (dedupe keys "upsell:<line>:<sold>"); other upsell activities (a
# contract's overage, a person's own) are not the sweep's to remove.
SWEEP_KEY_PREFIX = "upsell:"
# Serialises sweeps on PostgreSQL (the unique dedupe_key is the rule; this keeps e-mails exact).
_SWEEP_LOCK_KEY = 0x5E11_5EE9
_PREPAID_LINE = "invoice_policy = %(prepaid)s AND NOT is_downpayment"


def _fmt(value) -> str:
    """42.00 → "42", 39.75 → "39.75" (for summaries and keys)."""
    value = quantize_qty(value)
    return f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"


@dataclass
class SweepResult:
    flagged: int = 0  # orders newly flagged by this run
    cleared: int = 0  # orders taken off the list
    total: int = 0  # orders flagged after the run
    activities: int = 0  # follow-up activities created
    activity_ids: list[int] = field(default_factory=list)


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


@dataclass(frozen=True)
class _Scope:
    """The orders a sweep may touch (all, or `order_ids`) as SQL fragments and their parameters."""

    order_ids: list[int] | None
    orders: str = ""  # "AND id IN (...)" on the order table
    lines: str = ""  # "AND order_id IN (...)" on the line table
    params: dict = field(default_factory=dict)

    @classmethod
    def of(cls, order_ids: Iterable[int] | None) -> _Scope:
        if order_ids is None:
            return cls(order_ids=None)
        ids = [int(i) for i in order_ids]
        marks = ", ".join(f"%(s{i})s" for i in range(len(ids))) or "NULL"
        return cls(
            order_ids=ids,
            orders=f"AND id IN ({marks})",
            lines=f"AND order_id IN ({marks})",
            params={f"s{i}": oid for i, oid in enumerate(ids)},
        )


def _tables() -> tuple[str, str, str]:
    q = connection.ops.quote_name
    return q(Order._meta.db_table), q(OrderLine._meta.db_table), q(Activity._meta.db_table)


def _compute_groups(cursor, *, scope: _Scope, today: datetime.date, result: SweepResult) -> list[dict]:
    """The opportunities, once, into the temporary table every later statement joins."""
    order_t, _line_t, _activity_t = _tables()
    sql, params = _groups_sql(order_ids=scope.order_ids, today=today)
    cursor.execute(f"DROP TABLE IF EXISTS {_TMP}")
    cursor.execute(f"CREATE TEMPORARY TABLE {_TMP} AS {sql}", params)
    if connection.vendor == "postgresql":
        cursor.execute(f"ANALYZE {_TMP}")  # the planner's row estimates for the joins below
    cursor.execute(
        f"SELECT {', '.join(_TMP_COLUMNS)}, o.is_upsell FROM {_TMP} g JOIN {order_t} o ON o.id = g.order_id"
    )
    rows = cursor.fetchall()
    groups = _group_dicts(row[:-1] for row in rows)
    result.flagged = len({row[0] for row in rows if not row[-1]})
    result.total = len({g["order_id"] for g in groups})
    return groups


def _flag_orders(cursor, *, scope: _Scope, now: datetime.datetime, result: SweepResult) -> None:
    order_t, _line_t, _activity_t = _tables()
    # Orders no longer opportunities (more sold, locked, ...) leave the list.
    cursor.execute(
        f"UPDATE {order_t} SET is_upsell = %(false)s, upsell_reason = '', upsell_flagged_at = NULL "
        f"WHERE (is_upsell OR upsell_flagged_at IS NOT NULL) {scope.orders} "
        f"AND id NOT IN (SELECT order_id FROM {_TMP})",
        {"false": False, **scope.params},
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


def _flag_lines(cursor, *, scope: _Scope, now: datetime.datetime) -> None:
    """Lines are flagged exactly when their group is."""
    _order_t, line_t, _activity_t = _tables()
    in_group = f"(order_id, product_id) IN (SELECT order_id, product_id FROM {_TMP})"
    cursor.execute(
        f"UPDATE {line_t} SET upsell_flagged_at = NULL WHERE upsell_flagged_at IS NOT NULL {scope.lines} "
        f"AND NOT ({_PREPAID_LINE} AND {in_group})",
        {"prepaid": PREPAID.value, **scope.params},
    )
    cursor.execute(
        f"UPDATE {line_t} SET upsell_flagged_at = %(now)s "
        f"WHERE upsell_flagged_at IS NULL AND {_PREPAID_LINE} AND {in_group}",
        {"now": now, "prepaid": PREPAID.value},
    )


def _new_activities(cursor, *, groups: list[dict], today: datetime.date) -> list[Activity]:
    """Follow-ups: one per opportunity; the unique key makes the database refuse duplicates."""
    _order_t, _line_t, activity_t = _tables()
    wanted = {_dedupe_key(g): g for g in groups}
    cursor.execute(
        f"SELECT a.dedupe_key FROM {activity_t} a "
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
    return new


def _remove_closed_activities(cursor, *, scope: _Scope) -> None:
    """Locked or cancelled orders are off the list: their open follow-ups go too (also one made
    just now for an order locked while this sweep ran; this statement sees that commit)."""
    order_t, _line_t, activity_t = _tables()
    cursor.execute(
        f"DELETE FROM {activity_t} WHERE kind = %(kind)s AND NOT done "
        f"AND dedupe_key LIKE %(sweep_keys)s "
        f"AND order_id IN (SELECT id FROM {order_t} WHERE state <> %(sale)s {scope.orders})",
        {
            "kind": Activity.Kind.UPSELL.value,
            "sweep_keys": SWEEP_KEY_PREFIX + "%",
            "sale": Order.State.SALE.value,
            **scope.params,
        },
    )


def _announce(new: list[Activity], *, now: datetime.datetime, result: SweepResult) -> None:
    """Count the follow-ups this run created and e-mail them to their owners after the commit."""
    if not new:
        return
    created = list(
        Activity.objects.filter(dedupe_key__in=[a.dedupe_key for a in new], created_at__gte=now).values_list(
            "id", "user__email", "summary"
        )
    )
    result.activities = len(created)
    result.activity_ids = [row[0] for row in created]
    mails: dict[str, list[str]] = defaultdict(list)
    for _id, email, summary in created:
        if email:
            mails[email].append(summary)
    if mails:
        transaction.on_commit(partial(_send_upsell_mails, dict(mails)))


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
    scope = _Scope.of(order_ids)
    result = SweepResult()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SWEEP_LOCK_KEY])
        groups = _compute_groups(cursor, scope=scope, today=today, result=result)
        _flag_orders(cursor, scope=scope, now=now, result=result)
        _flag_lines(cursor, scope=scope, now=now)
        new = _new_activities(cursor, groups=groups, today=today)
        _remove_closed_activities(cursor, scope=scope)
        _announce(new, now=now, result=result)
        fault_pause("upsell_sweep_before_commit")  # tests only: core/faults.py
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
