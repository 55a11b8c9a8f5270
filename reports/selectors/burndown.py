"""Prepaid burn-down: hours sold on prepaid lines, hours used, what is left, month by month.

Contract periods (the `contracts` app, when installed) are prepaid lines too: each period is a
confirmed order with one prepaid line; `contract_periods` labels those lines with their
contract and period.
"""

import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.db import connection

from core.money import ZERO, quantize_qty
from sales.models import Customer, Order, OrderLine, Product, Uom, UomCategory
from timesheets.models import TimesheetLine

from ..models import HoursByCustomerMonth, HoursByOrderLine
from . import portable
from .common import month_starts

CONFIRMED = (Order.State.SALE, Order.State.DONE)


@dataclass
class BurndownRow:
    line_id: int
    order_id: int
    order: str
    customer: str
    description: str
    sold: Decimal
    used: Decimal  # billed duration, up to the report's end date (what the line's remaining hours use)
    used_in_period: Decimal
    used_actual: Decimal = ZERO  # the actual hours of `used`
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
    rows: list[BurndownRow] = field(default_factory=list)  # the first `limit` rows
    points: list[BurndownPoint] = field(default_factory=list)
    count: int = 0
    sold: Decimal = ZERO
    used: Decimal = ZERO
    used_in_period: Decimal = ZERO
    used_actual: Decimal = ZERO
    contracts_installed: bool = False

    @property
    def remaining(self) -> Decimal:
        return self.sold - self.used


# Lines: prepaid, sold in a time unit, on confirmed orders dated up to the end date. Kept: the
# lines with hours left on the end date or used in the period. Hours are the billed duration.
#
# A line's use comes from the per-order-line summary (reports.models.HoursByOrderLine) when its
# dates lie inside the period; when they only end inside it (begun before the period), its total
# still comes from the summary and only the period's timesheet lines are read for the use in the
# period; else (used after the end date) from all its timesheet lines up to the end date.
# The chart's use per month is that of all the lines (`by_month`), less `dropped`: the lines
# left out have no use in the period, so all their use lies before it and is in every point.
_SQL = """
WITH lines AS (
    SELECT l.id, l.order_id, o.name AS order_name, o.order_date, c.name AS customer,
           l.description, l.quantity * u.ratio AS sold
    FROM {order_lines} l
    JOIN {orders} o ON o.id = l.order_id
    JOIN {customers} c ON c.id = o.customer_id
    JOIN {uoms} u ON u.id = l.uom_id
    JOIN {categories} uc ON uc.id = u.category_id
    WHERE l.invoice_policy = %(prepaid)s AND NOT l.is_downpayment AND uc.kind = %(time)s
      AND o.state = ANY(%(confirmed)s) AND o.order_date <= %(date_to)s {customer_filter}
), summary AS (
    SELECT s.sale_line_id, s.hours, s.billed_hours, s.last_date,
           s.last_date <= %(date_to)s AS complete,
           s.last_date <= %(date_to)s AND {first_in_period} AS covered
    FROM {summary} s JOIN lines l ON l.id = s.sale_line_id WHERE s.lines > 0
), used AS (
    SELECT sale_line_id, billed_hours AS used, billed_hours AS used_in_period, hours AS used_actual
    FROM summary WHERE covered
    UNION ALL
    SELECT s.sale_line_id, s.billed_hours, COALESCE(p.in_period, 0), s.hours
    FROM summary s LEFT JOIN (
        SELECT t.sale_line_id, SUM(COALESCE(t.billed_hours, t.hours)) AS in_period
        FROM {timesheets} t
        WHERE {in_period} AND t.date <= %(date_to)s
          AND t.sale_line_id IN (SELECT sale_line_id FROM summary WHERE complete AND NOT covered)
        GROUP BY t.sale_line_id
    ) p ON p.sale_line_id = s.sale_line_id
    WHERE s.complete AND NOT s.covered
    UNION ALL
    SELECT t.sale_line_id, SUM(COALESCE(t.billed_hours, t.hours)),
           COALESCE(SUM(COALESCE(t.billed_hours, t.hours)) FILTER (WHERE {in_period}), 0), SUM(t.hours)
    FROM {timesheets} t
    WHERE t.date <= %(date_to)s AND t.sale_line_id IN (SELECT sale_line_id FROM summary WHERE NOT complete)
    GROUP BY t.sale_line_id
), figures AS (
    SELECT l.*, COALESCE(u.used, 0) AS used, COALESCE(u.used_in_period, 0) AS used_in_period,
           COALESCE(u.used_actual, 0) AS used_actual
    FROM lines l LEFT JOIN used u ON u.sale_line_id = l.id
), kept AS (
    SELECT * FROM figures WHERE sold > used OR used_in_period > 0
), by_month AS (
    {by_month}
)
SELECT
    (SELECT json_agg(json_build_array(
        id, order_id, order_name, customer, description, sold::text, used::text, used_in_period::text,
        used_actual::text
     ) ORDER BY customer, order_date, order_name, id)
     FROM (SELECT * FROM kept ORDER BY customer, order_date, order_name, id {limit}) first_rows),
    (SELECT json_build_array(COUNT(*), SUM(sold)::text, SUM(used)::text, SUM(used_in_period)::text,
                             MIN(order_date), SUM(used_actual)::text) FROM kept),
    (SELECT json_agg(json_build_array(month, hours::text) ORDER BY month) FROM (
        SELECT month, SUM(hours) AS hours FROM by_month GROUP BY month
     ) used_by_month),
    (SELECT json_agg(json_build_array(month, sold::text) ORDER BY month) FROM (
        SELECT date_trunc('month', order_date)::date AS month, SUM(sold) AS sold FROM kept GROUP BY 1
     ) sold_by_month),
    (SELECT COALESCE(SUM(used), 0)::text FROM figures WHERE NOT (sold > used OR used_in_period > 0))
"""
_MONTH = "date_trunc('month', t.date)::date"
_BILLED = "SUM(COALESCE(t.billed_hours, t.hours))"
# Use per month of the lines, from their timesheet lines (one customer: few lines).
_BY_MONTH_LINES = f"""
    SELECT {_MONTH} AS month, {_BILLED} AS hours FROM {{timesheets}} t
    WHERE t.date <= %(date_to)s AND t.sale_line_id IN (SELECT sale_line_id FROM summary) GROUP BY 1
"""
# All customers: the months before the end date's month from the customer-month summary (every
# prepaid line's use), less the use of the prepaid lines the report leaves out (orders not
# confirmed or dated after the end date: usually none); the end date's month from the lines.
_BY_MONTH_SUMMARY = f"""
    SELECT s.month, SUM(s.billed_hours) AS hours FROM {{customer_months}} s
    WHERE s.policy = %(prepaid)s AND s.month < %(last_month)s GROUP BY 1
    UNION ALL
    SELECT {_MONTH}, -{_BILLED} FROM {{timesheets}} t
    WHERE t.date < %(last_month)s AND t.sale_line_id IN (
        SELECT s.sale_line_id FROM {{order_line_summary}} s JOIN {{order_lines}} l ON l.id = s.sale_line_id
        WHERE s.lines > 0 AND s.first_date < %(last_month)s AND l.invoice_policy = %(prepaid)s
          AND NOT EXISTS (SELECT 1 FROM lines WHERE lines.id = l.id)
    ) GROUP BY 1
    UNION ALL
    SELECT {_MONTH}, {_BILLED} FROM {{timesheets}} t
    WHERE t.date >= %(last_month)s AND t.date <= %(date_to)s
      AND t.sale_line_id IN (SELECT sale_line_id FROM summary WHERE last_date >= %(last_month)s)
    GROUP BY 1
"""


def _json(value) -> list:
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str) else value


def prepaid_burndown(*, filters, limit: int | None = None) -> BurndownReport:
    """Prepaid lines with hours left on the end date or used in the period: `limit` rows (all
    when None), totals over all, sold / used / remaining at the end of each month. One query,
    + 1 for the contract periods of the rows when the contracts app is installed."""
    if connection.vendor != "postgresql":
        return _report_from_rows(portable.burndown_rows(filters=filters), filters, limit)
    sql, params = _burndown_statement(filters, limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        first_rows, totals, used_by_month, sold_by_month, dropped = cursor.fetchone()
    report = BurndownReport(contracts_installed=apps.is_installed("contracts"))
    count, sold, used, used_in_period, first_order, used_actual = _json(totals)
    report.count = count
    if not count:
        return report
    report.sold, report.used = quantize_qty(Decimal(sold)), Decimal(used)
    report.used_in_period = Decimal(used_in_period)
    report.used_actual = Decimal(used_actual)
    report.rows.extend(_burndown_row(item) for item in _json(first_rows))
    if report.contracts_installed:
        labels = contract_periods(order_line_ids=[row.line_id for row in report.rows])
        for row in report.rows:
            row.contract = labels.get(row.line_id, "")
    start = filters.date_from or datetime.date.fromisoformat(first_order)
    report.points = _points(
        start, filters.date_to, _json(sold_by_month), _json(used_by_month), before=Decimal(dropped)
    )
    return report


def _burndown_statement(filters, limit: int | None) -> tuple[str, dict]:
    """The report's one statement and its parameters for these filters."""
    params = {
        "prepaid": Product.InvoicePolicy.PREPAID,
        "time": UomCategory.Kind.TIME,
        "confirmed": [str(state) for state in CONFIRMED],
        "date_to": filters.date_to,
        "customer": filters.customer_id,
        "limit": limit,
    }
    in_period, first_in_period = "TRUE", "TRUE"
    if filters.date_from is not None:
        in_period, first_in_period = "t.date >= %(date_from)s", "s.first_date >= %(date_from)s"
        params["date_from"] = filters.date_from
    by_month = _BY_MONTH_LINES
    if filters.customer_id is None:
        by_month = _BY_MONTH_SUMMARY
        params["last_month"] = filters.date_to.replace(day=1)
    tables = {
        "order_lines": OrderLine._meta.db_table,
        "timesheets": TimesheetLine._meta.db_table,
        "customer_months": HoursByCustomerMonth._meta.db_table,
        "order_line_summary": HoursByOrderLine._meta.db_table,
    }
    sql = _SQL.format(
        by_month=by_month.format(**tables),
        summary=HoursByOrderLine._meta.db_table,
        first_in_period=first_in_period,
        order_lines=OrderLine._meta.db_table,
        orders=Order._meta.db_table,
        customers=Customer._meta.db_table,
        uoms=Uom._meta.db_table,
        categories=UomCategory._meta.db_table,
        timesheets=TimesheetLine._meta.db_table,
        customer_filter="AND o.customer_id = %(customer)s" if filters.customer_id is not None else "",
        in_period=in_period,
        limit="LIMIT %(limit)s" if limit is not None else "",
    )
    return sql, params


def _burndown_row(item: list) -> BurndownRow:
    """One row of the statement's JSON array of first rows."""
    line_id, order_id, order, customer, description, *hours = item
    line_sold, line_used, line_in_period, line_actual = (Decimal(value) for value in hours)
    return BurndownRow(
        line_id=line_id,
        order_id=order_id,
        order=order,
        customer=customer,
        description=description,
        sold=quantize_qty(line_sold),
        used=line_used,
        used_in_period=line_in_period,
        used_actual=line_actual,
    )


def _report_from_rows(rows: list[dict], filters, limit: int | None) -> BurndownReport:
    report = BurndownReport(contracts_installed=apps.is_installed("contracts"), count=len(rows))
    if not rows:
        return report
    sold_by_month: dict[str, Decimal] = {}
    for row in rows:
        report.sold += row["sold"]
        report.used += row["used"]
        report.used_in_period += row["used_in_period"]
        report.used_actual += row["used_actual"]
        month = row["order_date"].replace(day=1).isoformat()
        sold_by_month[month] = sold_by_month.get(month, ZERO) + row["sold"]
    shown = rows if limit is None else rows[:limit]
    report.rows = [BurndownRow(**{k: v for k, v in row.items() if k != "order_date"}) for row in shown]
    if report.contracts_installed:
        labels = contract_periods(order_line_ids=[row.line_id for row in report.rows])
        for row in report.rows:
            row.contract = labels.get(row.line_id, "")
    used = portable.used_by_month(line_ids=[row["line_id"] for row in rows], date_to=filters.date_to)
    start = filters.date_from or min(row["order_date"] for row in rows)
    report.points = _points(
        start,
        filters.date_to,
        sorted(sold_by_month.items()),
        [(month.isoformat(), str(hours)) for month, hours in used],
    )
    return report


def _points(start, end, sold_by_month, used_by_month, before=ZERO) -> list[BurndownPoint]:
    """Sold and used hours accumulated to the end of each month from `start` to `end`, less
    `before` used hours (lines left out, whose use all lies before `start`)."""
    sold = [(datetime.date.fromisoformat(m), Decimal(h)) for m, h in sold_by_month]
    used = [(datetime.date.fromisoformat(m), Decimal(h)) for m, h in used_by_month]
    points = []
    for month in month_starts(start, end):
        points.append(
            BurndownPoint(
                month=month,
                sold=quantize_qty(sum((h for m, h in sold if m <= month), ZERO)),
                used=sum((h for m, h in used if m <= month), ZERO) - before,
            )
        )
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
