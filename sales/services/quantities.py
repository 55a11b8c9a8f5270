"""Derived quantities of order lines and orders, recomputed set-based."""

from collections.abc import Iterable

from django.apps import apps
from django.db import connection, transaction
from django.db.models import (
    Case,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Round

from core.locks import lock_billing
from core.money import EXACT_QTY_DIGITS, EXACT_QTY_PLACES, ZERO

from ..models import Order, OrderLine, Product, Uom

# Orders whose lines count as sold, and the policies whose delivered quantity is timesheet hours.
CONFIRMED_STATES = (Order.State.SALE, Order.State.DONE)
TIMESHEET_POLICIES = (Product.InvoicePolicy.PREPAID, Product.InvoicePolicy.TIMESHEET)


# --- derived quantities ----------------------------------------------------------------------

# Line figures, one statement: delivered (timesheet hours converted from Hours, the time
# category's reference unit, into the line's unit exactly as `core.units.convert_quantity` does:
# hours / ratio at EXACT_QTY_PLACES, so 13 h = 1.625 Days; hand-entered otherwise), invoiced (non
# cancelled invoices, credit notes subtract), to invoice and the line's invoice status
# (SPEC "Line invoice status", first match wins).
_LINES_SQL = """
WITH calc AS (
    SELECT l.id, l.quantity, l.invoice_policy,
        CASE WHEN l.is_downpayment OR l.invoice_policy NOT IN ('prepaid', 'timesheet')
             THEN l.qty_delivered
             ELSE ROUND(COALESCE(ts.hours, 0) / u.ratio, {places}) END AS delivered,
        COALESCE(inv.qty, 0) AS invoiced,
        o.state IN ('sale', 'done') AS confirmed
    FROM {line} l
    JOIN {uom} u ON u.id = l.uom_id
    JOIN {order} o ON o.id = l.order_id
    LEFT JOIN LATERAL (
        SELECT SUM(COALESCE(t.billed_hours, t.hours)) AS hours FROM {timesheet} t
        WHERE t.sale_line_id = l.id
          -- post-paid lines deliver approved time only (or time that needed no approval)
          AND (l.invoice_policy <> 'timesheet' OR t.approval_state IN ('none', 'approved'))
    ) ts ON TRUE
    LEFT JOIN LATERAL (
        SELECT SUM(CASE WHEN i.kind = 'credit_note' THEN -il.quantity ELSE il.quantity END) AS qty
        FROM {invoice_line} il JOIN {invoice} i ON i.id = il.invoice_id
        WHERE il.sale_line_id = l.id AND i.state <> 'cancel' AND il.display_type = 'product'
    ) inv ON TRUE
    WHERE l.id = ANY(%s::bigint[])
), figures AS (
    SELECT c.*,
        CASE WHEN c.invoice_policy = 'prepaid' THEN c.quantity - c.invoiced
             ELSE c.delivered - c.invoiced END AS to_invoice
    FROM calc c
)
UPDATE {line} l SET
    qty_delivered = f.delivered,
    qty_invoiced = f.invoiced,
    qty_to_invoice = f.to_invoice,
    invoice_status = CASE
        WHEN NOT f.confirmed THEN 'no'
        WHEN f.to_invoice <> 0 THEN 'to_invoice'
        WHEN f.invoice_policy = 'prepaid' AND f.delivered > f.quantity THEN 'upselling'
        WHEN f.invoiced >= f.quantity THEN 'invoiced'
        ELSE 'no' END
FROM figures f
WHERE l.id = f.id
"""

# Order figures: totals are sums of the rounded line figures; invoice status per SPEC
# (down-payment lines ignored).
_ORDERS_SQL = """
WITH agg AS (
    SELECT o.id,
        COALESCE(SUM(l.price_subtotal), 0) AS untaxed,
        COALESCE(SUM(l.price_tax), 0) AS tax,
        COUNT(l.id) FILTER (WHERE NOT l.is_downpayment) AS n,
        COUNT(l.id) FILTER (WHERE NOT l.is_downpayment AND l.invoice_status = 'to_invoice') AS n_to_invoice,
        COUNT(l.id) FILTER (WHERE NOT l.is_downpayment AND l.invoice_status = 'invoiced') AS n_invoiced,
        COUNT(l.id) FILTER (WHERE NOT l.is_downpayment AND l.invoice_status = 'upselling') AS n_upselling
    FROM {order} o LEFT JOIN {line} l ON l.order_id = o.id
    WHERE o.id = ANY(%s::bigint[])
    GROUP BY o.id
)
UPDATE {order} o SET
    amount_untaxed = a.untaxed,
    amount_tax = a.tax,
    amount_total = a.untaxed + a.tax,
    invoice_status = CASE
        WHEN o.state NOT IN ('sale', 'done') THEN 'no'
        WHEN a.n_to_invoice > 0 THEN 'to_invoice'
        WHEN a.n > 0 AND a.n_invoiced = a.n THEN 'invoiced'
        WHEN a.n > 0 AND a.n_invoiced + a.n_upselling = a.n THEN 'upselling'
        ELSE 'no' END
FROM agg a
WHERE o.id = a.id
"""


def _tables() -> dict:
    def table(label):
        return apps.get_model(label)._meta.db_table

    return {
        "order": Order._meta.db_table,
        "line": OrderLine._meta.db_table,
        "uom": Uom._meta.db_table,
        "timesheet": table("timesheets.TimesheetLine"),
        "invoice": table("invoicing.Invoice"),
        "invoice_line": table("invoicing.InvoiceLine"),
        "places": EXACT_QTY_PLACES,
    }


def order_lines_recompute(*, line_ids: Iterable[int], order_ids: Iterable[int] = ()) -> None:
    """Recompute delivered / invoiced / to invoice / invoice status of these lines, set-based,
    then the invoice status and totals of their orders. Safe under concurrent writers.

    Called by the timesheets signals (create, change, delete, re-link) and the invoicing services.
    `order_ids` (optional) recomputes every line of those orders as well.

    Under READ COMMITTED an `UPDATE ... SET x = (SELECT SUM ...)` alone loses updates: its
    snapshot is taken before it waits for a row lock. So the rows are locked first (orders, then
    lines, sorted ids), and the aggregate UPDATEs run afterwards as separate statements, each
    with a fresh snapshot that sees every row committed by the writers we waited for.
    """
    line_ids = sorted({int(i) for i in line_ids if i is not None})
    order_ids = sorted({int(i) for i in order_ids if i is not None})
    if not line_ids and not order_ids:
        return
    with transaction.atomic(savepoint=False):
        locked_orders, locked_lines = _lock_orders_and_lines(line_ids=line_ids, order_ids=order_ids)
        if connection.vendor != "postgresql":
            _recompute_portable(line_ids=locked_lines, order_ids=locked_orders)
            return
        tables = _tables()
        with connection.cursor() as cursor:
            if locked_lines:
                cursor.execute(_LINES_SQL.format(**tables), [locked_lines])
            if locked_orders:
                cursor.execute(_ORDERS_SQL.format(**tables), [locked_orders])


def _lock_orders_and_lines(*, line_ids: list[int], order_ids: list[int]) -> tuple[list[int], list[int]]:
    """Lock the orders (given, and those of the lines), then the lines (given, and every line of
    the given orders), through the one lock module: the house order, sorted ids."""
    of_lines = OrderLine.objects.filter(pk__in=line_ids).values("order_id")
    locks = lock_billing(
        orders=Order.objects.filter(Q(pk__in=order_ids) | Q(pk__in=of_lines)).only("pk"),
        order_lines=OrderLine.objects.filter(Q(pk__in=line_ids) | Q(order_id__in=order_ids)).only("pk"),
    )
    return [order.pk for order in locks.orders], [line.pk for line in locks.order_lines]


def _recompute_portable(*, line_ids: list[int], order_ids: list[int]) -> None:
    """The same figures with portable ORM statements (the embedded SQLite of `make run`, where
    writers are serialized by the database lock). Several statements instead of one."""
    timesheet = apps.get_model("timesheets", "TimesheetLine")
    invoice_line = apps.get_model("invoicing", "InvoiceLine")
    # The caller holds the row locks (`_lock_orders_and_lines`).
    targets = OrderLine.objects.filter(Q(pk__in=line_ids) | Q(order_id__in=order_ids))
    locked = list(targets.order_by("pk").values_list("pk", "order_id"))
    ids = [pk for pk, _ in locked]
    order_ids = sorted(set(order_ids) | {order_id for _, order_id in locked})
    rows = OrderLine.objects.filter(pk__in=ids)
    qty = DecimalField(max_digits=EXACT_QTY_DIGITS, decimal_places=EXACT_QTY_PLACES)

    def hours_of(lines):
        return Subquery(
            lines.order_by()
            .values("sale_line")
            .annotate(s=Sum(Coalesce("billed_hours", "hours")))
            .values("s")
        )

    logged = timesheet.objects.filter(sale_line=OuterRef("pk"))
    hours = Case(
        When(
            invoice_policy=Product.InvoicePolicy.TIMESHEET,
            then=hours_of(logged.filter(approval_state__in=("none", "approved"))),
        ),
        default=hours_of(logged),
        output_field=qty,
    )
    ratio = Subquery(Uom.objects.filter(pk=OuterRef("uom_id")).values("ratio"))
    invoiced = Subquery(
        invoice_line.objects.filter(sale_line=OuterRef("pk"), display_type="product")
        .exclude(invoice__state="cancel")
        .order_by()
        .values("sale_line")
        .annotate(
            s=Sum(
                Case(
                    When(invoice__kind="credit_note", then=-F("quantity")),
                    default=F("quantity"),
                    output_field=qty,
                )
            )
        )
        .values("s")
    )
    from_timesheets = Q(is_downpayment=False, invoice_policy__in=TIMESHEET_POLICIES)
    rows.update(
        qty_delivered=Case(
            When(from_timesheets, then=Round(Coalesce(hours, Value(ZERO)) / ratio, EXACT_QTY_PLACES)),
            default=F("qty_delivered"),
            output_field=qty,
        ),
        qty_invoiced=Coalesce(invoiced, Value(ZERO), output_field=qty),
    )
    rows.update(
        qty_to_invoice=Case(
            When(invoice_policy=Product.InvoicePolicy.PREPAID, then=F("quantity") - F("qty_invoiced")),
            default=F("qty_delivered") - F("qty_invoiced"),
            output_field=qty,
        )
    )
    confirmed = Exists(Order.objects.filter(pk=OuterRef("order_id"), state__in=CONFIRMED_STATES))
    rows.update(
        invoice_status=Case(
            When(~confirmed, then=Value("no")),
            When(~Q(qty_to_invoice=0), then=Value("to_invoice")),
            When(
                Q(invoice_policy=Product.InvoicePolicy.PREPAID, qty_delivered__gt=F("quantity")),
                then=Value("upselling"),
            ),
            When(qty_invoiced__gte=F("quantity"), then=Value("invoiced")),
            default=Value("no"),
        )
    )

    def line_sum(name):
        return Coalesce(
            Subquery(
                OrderLine.objects.filter(order=OuterRef("pk"))
                .order_by()
                .values("order")
                .annotate(s=Sum(name))
                .values("s")
            ),
            Value(ZERO),
            output_field=qty,
        )

    billed = OrderLine.objects.filter(order=OuterRef("pk"), is_downpayment=False)
    Order.objects.filter(pk__in=order_ids).update(
        amount_untaxed=line_sum("price_subtotal"),
        amount_tax=line_sum("price_tax"),
        amount_total=line_sum("price_total"),
        invoice_status=Case(
            When(~Q(state__in=CONFIRMED_STATES), then=Value("no")),
            When(Exists(billed.filter(invoice_status="to_invoice")), then=Value("to_invoice")),
            When(Exists(billed) & ~Exists(billed.exclude(invoice_status="invoiced")), then=Value("invoiced")),
            When(
                Exists(billed) & ~Exists(billed.exclude(invoice_status__in=["invoiced", "upselling"])),
                then=Value("upselling"),
            ),
            default=Value("no"),
        ),
    )


def order_recompute(*, order: Order) -> Order:
    """Recompute every line and the totals / invoice status of one order."""
    order_lines_recompute(line_ids=[], order_ids=[order.pk])
    order.refresh_from_db()
    return order
