"""Unbilled work: what a regular invoice of each confirmed order would bill now.

The rule is `invoicing.selectors.invoice_plan`'s, computed by PostgreSQL for every order at
once (tens of thousands of order lines at scale): timesheet lines bill their not yet invoiced
hours of the period (all of them when the period covers all), converted to the line's unit
(ROUND(hours / ratio, EXACT_QTY_PLACES), as `core.units.hours_to_unit`) and capped at the
line's quantity to invoice; other lines their whole quantity to invoice; outstanding down
payments are deducted on orders that bill something. Line value = ROUND(qty × price × (1 −
discount %), 2), as `core.money.line_subtotal` (half away from zero, like ROUND_HALF_UP).
`tests/reports/test_reconciliation.py` invoices each order and compares, to the cent.

Employee rates (SPEC Time policy, `invoicing.rates.rate_groups`): a line with a rate for one of
the employees of its hours to bill (on the order line, else on the timesheet line's project)
bills one invoice line per rate: its value is the sum of ROUND(ROUND(hours / ratio) × price) per
rate, the price being the rate per unit (ROUND(rate × ratio, 2)) or the line's for the others.
Only the timesheet lines of such order lines are read per employee (`rated_time`); the lines
under a project rate are found through the days `HoursByDay` has unbilled post-paid time for
that employee and project (one index probe per such day, not a scan of the employee's lines).

Hours are the billed duration (SPEC Time policy: what invoices bill; the actual hours are shown
beside) of the lines an invoice may bill (not invoiced; approved or needing no approval). They
come per order line from the summary the database keeps (`reports.models.UnbilledHours`) when
that line's dates lie inside the period (the whole total is in it); the other lines' timesheet
lines are summed directly.
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

from core.money import EXACT_QTY_PLACES, ZERO
from projects.models import EmployeeRate
from sales.models import Customer, Order, OrderLine, Product, Uom
from timesheets.models import INVOICEABLE_APPROVAL_STATES, TimesheetLine

from ..models import HoursByDay, UnbilledHours
from . import portable

CONFIRMED = (Order.State.SALE, Order.State.DONE)


@dataclass
class UnbilledRow:
    line_id: int
    order_id: int
    order: str
    customer: str
    description: str
    policy: str
    is_downpayment: bool
    hours: Decimal | None  # billed duration of the period's billable timesheet lines (timesheet lines)
    actual_hours: Decimal | None  # their actual hours
    quantity: Decimal  # what the invoice would bill, in the line's unit
    uom: str
    price_unit: Decimal
    discount: Decimal
    value: Decimal  # untaxed, rounded like the invoice line(s)
    rated: bool = False  # billed at employee rates: one invoice line per rate, summed here

    @property
    def policy_label(self) -> str:
        return "Down payment" if self.is_downpayment else Product.InvoicePolicy(self.policy).label


@dataclass
class UnbilledReport:
    rows: list[UnbilledRow] = field(default_factory=list)  # the first `limit` rows
    count: int = 0  # rows in all
    hours: Decimal = ZERO  # billed duration
    actual_hours: Decimal = ZERO
    value: Decimal = ZERO
    by_customer: list[tuple[str, Decimal]] = field(default_factory=list)


# Narrow rows through the CTEs (ids and figures); names and descriptions are joined only for
# the per-customer totals and the first rows shown.
_SQL = """
WITH lines AS (
    SELECT l.id, l.order_id, o.customer_id, l.invoice_policy, l.is_downpayment, l.sequence,
           l.qty_to_invoice, l.price_unit, l.discount, u.ratio
    FROM {order_lines} l
    JOIN {orders} o ON o.id = l.order_id
    JOIN {uoms} u ON u.id = l.uom_id
    WHERE o.state = ANY(%(confirmed)s) {customer_filter}
      AND ((NOT l.is_downpayment AND l.qty_to_invoice > 0) OR (l.is_downpayment AND l.qty_to_invoice < 0))
), summary AS (
    SELECT s.sale_line_id, s.hours, s.billed_hours,
           s.last_date <= %(date_to)s AND {first_in_period} AS covered
    FROM {summary} s JOIN lines l ON l.id = s.sale_line_id
    WHERE s.lines > 0 AND l.invoice_policy = %(timesheet)s AND NOT l.is_downpayment
), hours AS (
    SELECT sale_line_id, billed_hours AS total, billed_hours AS in_period, hours AS actual
    FROM summary WHERE covered
    UNION ALL
    SELECT t.sale_line_id, SUM(COALESCE(t.billed_hours, t.hours)) AS total,
           SUM(COALESCE(t.billed_hours, t.hours)) FILTER (WHERE {period}) AS in_period,
           SUM(t.hours) FILTER (WHERE {period}) AS actual
    FROM {timesheets} t
    WHERE t.invoice_id IS NULL AND t.approval_state = ANY(%(invoiceable)s)
      AND t.sale_line_id IN (SELECT sale_line_id FROM summary WHERE NOT covered)
    GROUP BY t.sale_line_id
), rates AS (
    SELECT r.employee_id, r.sale_line_id, r.project_id, r.hourly_rate
    FROM {rates} r
    WHERE r.project_id IS NOT NULL OR r.sale_line_id IN (SELECT id FROM lines WHERE {bills_time})
), rated_lines AS (
    SELECT sale_line_id FROM rates WHERE sale_line_id IS NOT NULL
    UNION
    SELECT p.sale_line_id FROM rates r
    JOIN {hours_by_day} d ON d.employee_id = r.employee_id AND d.project_id = r.project_id
    JOIN {timesheets} p ON p.employee_id = d.employee_id AND p.date = d.date AND p.project_id = d.project_id
    WHERE r.project_id IS NOT NULL AND NOT d.billed AND d.on_timesheets AND d.lines > 0
      AND {day_period} AND p.invoice_id IS NULL AND p.approval_state = ANY(%(invoiceable)s)
), rated_time AS (
    SELECT g.sale_line_id, COALESCE(lr.hourly_rate, pr.hourly_rate) AS rate, SUM(g.hours) AS hours
    FROM rated_lines c
    CROSS JOIN LATERAL (
        SELECT t.sale_line_id, t.employee_id, t.project_id, SUM(COALESCE(t.billed_hours, t.hours)) AS hours
        FROM {timesheets} t
        WHERE t.sale_line_id = c.sale_line_id AND t.invoice_id IS NULL
          AND t.approval_state = ANY(%(invoiceable)s) AND {period}
        GROUP BY 1, 2, 3
    ) g
    LEFT JOIN rates lr ON lr.sale_line_id = g.sale_line_id AND lr.employee_id = g.employee_id
    LEFT JOIN rates pr ON pr.project_id = g.project_id AND pr.employee_id = g.employee_id
    WHERE c.sale_line_id IN (SELECT id FROM lines WHERE {bills_time})
    GROUP BY 1, 2
), rated AS (
    SELECT g.sale_line_id,
           SUM(ROUND(g.hours / l.ratio, {places})) FILTER (WHERE g.hours > 0) AS quantity,
           SUM(ROUND(ROUND(g.hours / l.ratio, {places})
                     * CASE WHEN g.rate IS NULL THEN l.price_unit ELSE ROUND(g.rate * l.ratio, 2) END
                     * (1 - l.discount / 100), 2)) FILTER (WHERE g.hours > 0) AS value
    FROM rated_time g JOIN lines l ON l.id = g.sale_line_id
    GROUP BY g.sale_line_id
    HAVING bool_or(g.rate IS NOT NULL)
), billed AS (
    SELECT l.*, h.in_period AS hours, h.actual AS actual_hours,
           r.quantity AS rated_quantity, r.value AS rated_value,
           CASE WHEN l.invoice_policy <> %(timesheet)s OR l.is_downpayment THEN l.qty_to_invoice
                WHEN COALESCE(h.in_period, 0) = 0 THEN 0
                WHEN h.in_period <> h.total
                    THEN LEAST(l.qty_to_invoice, ROUND(h.in_period / l.ratio, {places}))
                ELSE l.qty_to_invoice END AS quantity
    FROM lines l LEFT JOIN hours h ON h.sale_line_id = l.id LEFT JOIN rated r ON r.sale_line_id = l.id
), kept AS (
    SELECT b.*,
           COALESCE(b.rated_value, ROUND(b.quantity * b.price_unit * (1 - b.discount / 100), 2)) AS value
    FROM billed b
    WHERE b.quantity <> 0 AND (NOT b.is_downpayment OR EXISTS (
        SELECT 1 FROM billed p WHERE p.order_id = b.order_id AND NOT p.is_downpayment AND p.quantity <> 0
    ))
)
SELECT
    (SELECT json_agg(json_build_array(customer, hours::text, value::text, actual_hours::text)
                     ORDER BY customer) FROM (
        SELECT c.name AS customer, SUM(k.hours) AS hours, SUM(k.value) AS value,
               SUM(k.actual_hours) AS actual_hours
        FROM (
            SELECT customer_id, SUM(hours) AS hours, SUM(value) AS value, SUM(actual_hours) AS actual_hours
            FROM kept GROUP BY customer_id
        ) k JOIN {customers} c ON c.id = k.customer_id
        GROUP BY c.name
     ) per_customer),
    (SELECT json_agg(json_build_array(
        f.id, f.order_id, f.order_name, f.customer, l.description, f.invoice_policy, f.is_downpayment,
        f.hours::text, f.actual_hours::text, COALESCE(f.rated_quantity, f.quantity)::text, u.name,
        f.price_unit::text, f.discount::text, f.value::text, f.rated_value IS NOT NULL
     ) ORDER BY f.customer, f.order_name, f.is_downpayment, f.sequence, f.id)
     FROM (
        SELECT k.*, o.name AS order_name, c.name AS customer
        FROM kept k JOIN {orders} o ON o.id = k.order_id JOIN {customers} c ON c.id = k.customer_id
        ORDER BY c.name, o.name, k.is_downpayment, k.sequence, k.id {limit}
     ) f JOIN {order_lines} l ON l.id = f.id JOIN {uoms} u ON u.id = l.uom_id),
    (SELECT COUNT(*) FROM kept)
"""


def _num(text) -> Decimal | None:
    return None if text is None else Decimal(text)


def unbilled_work(*, filters, limit: int | None = None) -> UnbilledReport:
    """Per order line, what a regular invoice with the report's period as its timesheet
    period would bill; `limit` rows (all when None), totals over all. One query."""
    if connection.vendor != "postgresql":
        return _report_from_rows(portable.unbilled_rows(filters=filters), limit)
    sql, params = _unbilled_statement(filters, limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        per_customer, first_rows, count = cursor.fetchone()
    report = UnbilledReport(count=count)
    for customer, hours, value, actual_hours in _json(per_customer):
        report.by_customer.append((customer, Decimal(value)))
        report.hours += _num(hours) or ZERO
        report.actual_hours += _num(actual_hours) or ZERO
        report.value += Decimal(value)
    report.rows.extend(_unbilled_row(item) for item in _json(first_rows))
    return report


def _unbilled_statement(filters, limit: int | None) -> tuple[str, dict]:
    """The report's one statement and its parameters for these filters."""
    params = {
        "confirmed": [str(state) for state in CONFIRMED],
        "timesheet": Product.InvoicePolicy.TIMESHEET,
        "invoiceable": [str(state) for state in INVOICEABLE_APPROVAL_STATES],
        "date_to": filters.date_to,
        "customer": filters.customer_id,
        "limit": limit,
    }
    period, first_in_period = "{t}.date <= %(date_to)s", "TRUE"
    if filters.date_from is not None:
        period += " AND {t}.date >= %(date_from)s"
        first_in_period = "s.first_date >= %(date_from)s"
        params["date_from"] = filters.date_from
    sql = _SQL.format(
        order_lines=OrderLine._meta.db_table,
        orders=Order._meta.db_table,
        customers=Customer._meta.db_table,
        uoms=Uom._meta.db_table,
        timesheets=TimesheetLine._meta.db_table,
        summary=UnbilledHours._meta.db_table,
        rates=EmployeeRate._meta.db_table,
        bills_time="invoice_policy = %(timesheet)s AND NOT is_downpayment",
        hours_by_day=HoursByDay._meta.db_table,
        day_period=period.format(t="d"),
        first_in_period=first_in_period,
        customer_filter="AND o.customer_id = %(customer)s" if filters.customer_id is not None else "",
        period=period.format(t="t"),
        places=int(EXACT_QTY_PLACES),
        limit="LIMIT %(limit)s" if limit is not None else "",
    )
    return sql, params


def _unbilled_row(item: list) -> UnbilledRow:
    """One row of the statement's JSON array of first rows."""
    line_id, order_id, order, customer, description, policy, downpayment, *figures = item
    hours, actual_hours, quantity, uom, price_unit, discount, value, rated = figures
    return UnbilledRow(
        line_id=line_id,
        order_id=order_id,
        order=order,
        customer=customer,
        description=description,
        policy=policy,
        is_downpayment=downpayment,
        hours=_num(hours),
        actual_hours=_num(actual_hours),
        quantity=Decimal(quantity),
        uom=uom,
        price_unit=Decimal(price_unit),
        discount=Decimal(discount),
        value=Decimal(value),
        rated=rated,
    )


def _report_from_rows(rows: list[dict], limit: int | None) -> UnbilledReport:
    report = UnbilledReport(count=len(rows))
    by_customer: dict[str, Decimal] = {}
    for row in rows:
        report.hours += row["hours"] or ZERO
        report.actual_hours += row["actual_hours"] or ZERO
        report.value += row["value"]
        by_customer[row["customer"]] = by_customer.get(row["customer"], ZERO) + row["value"]
    report.by_customer = sorted(by_customer.items())
    report.rows = [UnbilledRow(**row) for row in (rows if limit is None else rows[:limit])]
    return report


def _json(value) -> list:
    # psycopg decodes json columns already; a NULL aggregate (no rows) is None.
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str) else value
