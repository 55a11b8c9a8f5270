"""Derived quantities of order lines and orders: one recompute path, set-based, on every engine.

The figures are built from ORM expressions and the models' choices; the hours logged and the
quantities invoiced come from the rooms that own them (`sales.quantity_sources`). One UPDATE
writes every figure of the lines, one more the totals and invoice status of their orders, on
PostgreSQL (`make test`, production) and SQLite (`make run`) alike.
"""

from collections.abc import Iterable
from functools import lru_cache

from django.db import connection, transaction
from django.db.models import (
    Case,
    DecimalField,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Round
from django.db.models.sql import UpdateQuery

from core.locks import lock_statement
from core.money import EXACT_QTY_DIGITS, EXACT_QTY_PLACES, ZERO
from core.statements import execute_all

from ..models import Order, OrderLine, Product, Uom
from ..quantity_sources import invoiced_quantity, logged_hours

# Orders whose lines count as sold, and the policies whose delivered quantity is timesheet hours.
CONFIRMED_STATES = (Order.State.SALE, Order.State.DONE)
TIMESHEET_POLICIES = (Product.InvoicePolicy.PREPAID, Product.InvoicePolicy.TIMESHEET)

_QTY = DecimalField(max_digits=EXACT_QTY_DIGITS, decimal_places=EXACT_QTY_PLACES)
_ZERO = Value(ZERO, output_field=_QTY)
_LINE = OrderLine.InvoiceStatus
_ORDER = Order.InvoiceStatus
_SETTLED = (_LINE.INVOICED, _LINE.UPSELLING)  # nothing left to bill


class _Divide(Func):
    """a / b: exact on PostgreSQL (numeric). SQLite stores whole numbers of a decimal column as
    integers and divides them as such (20 / 8 = 2): there it divides in floating point, which
    the 6-decimal rounding then fixes (13 / 8 = 1.625, 0.25 / 40 = 0.00625)."""

    arg_joiner = " / "
    template = "(%(expressions)s)"

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, arg_joiner=" * 1.0 / ", **extra_context)


def _delivered():
    """Timesheet policies deliver the hours logged (post-paid: approved ones, or ones needing no
    approval), converted from Hours, the time category's reference unit, into the line's unit
    exactly as `core.units.convert_quantity` does: hours / ratio at EXACT_QTY_PLACES, so 13 h =
    1.625 Days. Down payments and the other policies keep their hand-entered quantity."""
    hours = Case(
        When(invoice_policy=Product.InvoicePolicy.TIMESHEET, then=logged_hours(approved_only=True)),
        default=logged_hours(),
        output_field=_QTY,
    )
    ratio = Subquery(Uom.objects.filter(pk=OuterRef("uom_id")).order_by().values("ratio"))
    return Case(
        When(
            Q(is_downpayment=False, invoice_policy__in=TIMESHEET_POLICIES),
            then=Round(_Divide(Coalesce(hours, _ZERO), ratio, output_field=_QTY), EXACT_QTY_PLACES),
        ),
        default=F("qty_delivered"),
        output_field=_QTY,
    )


# One statement writes a line's four figures. Its rows come from an ORM query (`_line_inputs`:
# delivered and invoiced, each computed once, whatever the history), joined by UPDATE ... FROM
# (PostgreSQL, SQLite >= 3.33); to invoice and the status follow from them. The statuses are
# parameters taken from the model's choices. The inputs are a MATERIALIZED CTE on PostgreSQL:
# inlined, each of their subqueries would be planned once per use (8 subplans instead of 4: on
# a fresh connection, planning them costs more than running them).
_LINES_UPDATE = """
WITH g AS {materialized}({inputs})
UPDATE {line} AS l SET
    qty_delivered = f.delivered,
    qty_invoiced = f.invoiced,
    qty_to_invoice = f.to_invoice,
    invoice_status = CASE
        WHEN NOT f.confirmed THEN %s
        WHEN f.to_invoice <> 0 THEN %s
        WHEN f.invoice_policy = %s AND f.delivered > f.quantity THEN %s
        WHEN f.invoiced >= f.quantity THEN %s
        ELSE %s END
FROM (
    SELECT g.*, ROUND(CASE WHEN g.invoice_policy = %s THEN g.quantity - g.invoiced
                           ELSE g.delivered - g.invoiced END, {places}) AS to_invoice
    FROM g
) f
WHERE l.{pk} = f.pk
"""


def _line_inputs(lines: QuerySet):
    """Per line: its id, ordered quantity and policy, whether its order is confirmed, and the new
    delivered and invoiced quantities (credit notes subtract, cancelled invoices do not count)."""
    return (
        lines.order_by()
        .annotate(
            delivered=_delivered(),
            invoiced=Coalesce(invoiced_quantity(), _ZERO, output_field=_QTY),
            confirmed=Exists(Order.objects.filter(pk=OuterRef("order_id"), state__in=CONFIRMED_STATES)),
        )
        .values("pk", "quantity", "invoice_policy", "delivered", "invoiced", "confirmed")
    )


def _lines_statement(lines: QuerySet) -> tuple[str, list]:
    """SPEC "Line invoice status", first match wins: order not confirmed → no; to invoice ≠ 0 →
    to invoice; prepaid and delivered > ordered → upselling; invoiced ≥ ordered → invoiced; no.
    To invoice: prepaid → ordered − invoiced; others → delivered − invoiced."""
    inputs_sql, inputs_params = _line_inputs(lines).query.sql_with_params()
    quote = connection.ops.quote_name
    sql = _LINES_UPDATE.format(
        line=quote(OrderLine._meta.db_table),
        pk=quote(OrderLine._meta.pk.column),
        places=EXACT_QTY_PLACES,
        inputs=inputs_sql,
        materialized="MATERIALIZED " if connection.vendor == "postgresql" else "",
    )
    prepaid = Product.InvoicePolicy.PREPAID
    statuses = [_LINE.NO, _LINE.TO_INVOICE, prepaid, _LINE.UPSELLING, _LINE.INVOICED, _LINE.NO]
    return sql, [*inputs_params, *map(str, statuses), str(prepaid)]


def _order_figures() -> dict:
    """Totals are sums of the lines' rounded amounts; the invoice status per SPEC, down-payment
    lines ignored."""

    def line_sum(expression):
        return Coalesce(
            Subquery(
                OrderLine.objects.filter(order=OuterRef("pk"))
                .order_by()
                .values("order")
                .annotate(total=Sum(expression))
                .values("total")
            ),
            _ZERO,
            output_field=_QTY,
        )

    billed = OrderLine.objects.filter(order=OuterRef("pk"), is_downpayment=False)
    return {
        "amount_untaxed": line_sum(F("price_subtotal")),
        "amount_tax": line_sum(F("price_tax")),
        "amount_total": line_sum(F("price_subtotal") + F("price_tax")),
        "invoice_status": Case(
            When(~Q(state__in=CONFIRMED_STATES), then=Value(_ORDER.NO)),
            When(Exists(billed.filter(invoice_status=_LINE.TO_INVOICE)), then=Value(_ORDER.TO_INVOICE)),
            When(
                Exists(billed) & ~Exists(billed.exclude(invoice_status=_LINE.INVOICED)),
                then=Value(_ORDER.INVOICED),
            ),
            When(
                Exists(billed) & ~Exists(billed.exclude(invoice_status__in=_SETTLED)),
                then=Value(_ORDER.UPSELLING),
            ),
            default=Value(_ORDER.NO),
        ),
    }


def order_lines_recompute(*, line_ids: Iterable[int], order_ids: Iterable[int] = ()) -> None:
    """Recompute delivered / invoiced / to invoice / invoice status of these lines, set-based,
    then the invoice status and totals of their orders. Safe under concurrent writers.

    Called by the timesheets signals (create, change, delete, re-link) and the invoicing services.
    `order_ids` (optional) recomputes every line of those orders as well.

    Under READ COMMITTED an `UPDATE ... SET x = (SELECT SUM ...)` alone loses updates: its
    snapshot is taken before it waits for a row lock. So the rows are locked first (orders, then
    lines, sorted ids), and the aggregate UPDATEs run afterwards as separate statements, each
    with a fresh snapshot that sees every row committed by the writers we waited for. (SQLite
    serializes writers with its database lock.)
    """
    line_ids = sorted({int(i) for i in line_ids if i is not None})
    order_ids = sorted({int(i) for i in order_ids if i is not None})
    if not line_ids and not order_ids:
        return
    ids = dict(zip(_marks(len(line_ids), len(order_ids)), [*line_ids, *order_ids], strict=True))
    with transaction.atomic(savepoint=False):
        # The house lock order (orders, then lines, sorted ids, in core.locks' mode), then the
        # two UPDATEs, each statement with its own snapshot; one round trip on PostgreSQL.
        statements = _statements(connection.vendor, len(line_ids), len(order_ids))
        execute_all([(sql, _with_ids(params, ids)) for sql, params in statements])


def _targets(line_ids: list[int], order_ids: list[int]) -> tuple[QuerySet, QuerySet]:
    """The orders (given, and those of the lines) and the lines (given, and every line of the
    given orders) a recompute writes."""
    of_lines = OrderLine.objects.filter(pk__in=line_ids).values("order_id")
    orders = Order.objects.filter(Q(pk__in=order_ids) | Q(pk__in=of_lines))
    lines = OrderLine.objects.filter(Q(pk__in=line_ids) | Q(order_id__in=order_ids))
    return orders, lines


# Compiling the statements costs more than running them on a small order (milliseconds of
# Python): they are compiled once per shape (engine, number of line ids, number of order ids)
# with marker ids, which each run replaces by its own ids.
_MARK = -(10**15)


def _marks(n_lines: int, n_orders: int) -> list[int]:
    return [_MARK - i for i in range(n_lines + n_orders)]


def _with_ids(params: tuple, ids: dict[int, int]) -> list:
    return [ids.get(p, p) if type(p) is int else p for p in params]


@lru_cache(maxsize=256)
def _statements(vendor: str, n_lines: int, n_orders: int) -> tuple[tuple[str, tuple], ...]:
    """Lock the orders, lock the lines, update the lines, update the orders."""
    marks = _marks(n_lines, n_orders)
    orders, lines = _targets(marks[:n_lines], marks[n_lines:])
    lines_sql, lines_params = _lines_statement(lines)
    update = orders.query.chain(UpdateQuery)
    update.add_update_values(_order_figures())
    orders_sql, orders_params = update.get_compiler(connection=connection).as_sql()
    return (
        lock_statement(orders.only("pk")),
        lock_statement(lines.only("pk")),
        (lines_sql, tuple(lines_params)),
        (orders_sql, tuple(orders_params)),
    )


def order_recompute(*, order: Order) -> Order:
    """Recompute every line and the totals / invoice status of one order."""
    order_lines_recompute(line_ids=[], order_ids=[order.pk])
    order.refresh_from_db()
    return order
