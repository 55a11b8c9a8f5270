"""Derived quantities of order lines and orders: one recompute path, set-based, on every engine.

The figures are ORM expressions built from the models' choices; the hours logged and the
quantities invoiced come from the rooms that own them (`sales.quantity_sources`). One UPDATE
writes every figure of the lines, one more the totals and invoice status of their orders, on
PostgreSQL (`make test`, production) and SQLite (`make run`) alike.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Case, DecimalField, Exists, F, Func, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Round
from django.db.models.lookups import Exact, GreaterThan, GreaterThanOrEqual

from core.locks import lock_billing
from core.money import EXACT_QTY_DIGITS, EXACT_QTY_PLACES, ZERO

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


def _line_figures() -> dict:
    """The new value of each derived field of a line. An UPDATE's expressions all read the row
    as it was, so to invoice and the status repeat the delivered and invoiced expressions (SQL
    evaluates only the CASE branches a row takes)."""
    delivered = _delivered()
    invoiced = Coalesce(invoiced_quantity(), _ZERO, output_field=_QTY)
    prepaid = Q(invoice_policy=Product.InvoicePolicy.PREPAID)
    to_invoice = Case(
        When(prepaid, then=F("quantity") - invoiced), default=delivered - invoiced, output_field=_QTY
    )
    confirmed = Exists(Order.objects.filter(pk=OuterRef("order_id"), state__in=CONFIRMED_STATES))
    # SPEC "Line invoice status", first match wins.
    settled = Case(
        When(prepaid & Q(GreaterThan(delivered, F("quantity"))), then=Value(_LINE.UPSELLING)),
        When(GreaterThanOrEqual(invoiced, F("quantity")), then=Value(_LINE.INVOICED)),
        default=Value(_LINE.NO),
    )
    status = Case(
        When(~Q(confirmed), then=Value(_LINE.NO)),
        When(Exact(to_invoice, _ZERO), then=settled),
        default=Value(_LINE.TO_INVOICE),
    )
    return {
        "qty_delivered": delivered,
        "qty_invoiced": invoiced,
        "qty_to_invoice": to_invoice,
        "invoice_status": status,
    }


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
    of_lines = OrderLine.objects.filter(pk__in=line_ids).values("order_id")
    orders = Order.objects.filter(Q(pk__in=order_ids) | Q(pk__in=of_lines))
    lines = OrderLine.objects.filter(Q(pk__in=line_ids) | Q(order_id__in=order_ids))
    with transaction.atomic(savepoint=False):
        # The house lock order (orders, then lines, sorted ids), through the one lock module.
        locks = lock_billing(orders=orders.only("pk"), order_lines=lines.only("pk"))
        if locks.order_lines:
            lines.update(**_line_figures())
        if locks.orders:
            orders.update(**_order_figures())


def order_recompute(*, order: Order) -> Order:
    """Recompute every line and the totals / invoice status of one order."""
    order_lines_recompute(line_ids=[], order_ids=[order.pk])
    order.refresh_from_db()
    return order
