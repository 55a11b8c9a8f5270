"""Sales writes: orders, lines, state transitions, and the derived quantities of order lines.

CONTRACT (other apps code against these signatures; keep them).
"""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import F

from core.errors import DomainError
from core.models import User

from .models import Customer, Order, OrderLine, Product, Tax, Uom


def order_create(
    *,
    customer: Customer,
    user: User,
    salesperson: User | None = None,
    order_date: date | None = None,
    lines: Iterable[dict] = (),
    note: str = "",
    client_reference: str = "",
) -> Order:
    """Create a quotation with a gapless number (SO00001) and its lines.

    Each dict of `lines` takes the keyword arguments of `order_line_add` (product, quantity, ...).
    """
    raise NotImplementedError


def order_line_add(
    *,
    order: Order,
    product: Product,
    user: User,
    quantity: Decimal = Decimal("1"),
    uom: Uom | None = None,
    price_unit: Decimal | None = None,
    discount: Decimal = Decimal("0"),
    tax: Tax | None | object = ...,
    description: str = "",
) -> OrderLine:
    """Add a line; unit, price, tax default from the product (tax=... means "the product's").

    Allowed on drafts; on confirmed orders too (upsell: more hours sold; materials from tasks).
    The unit must be of the product's unit category (DomainError on field "uom").
    """
    raise NotImplementedError


def order_line_update(*, line: OrderLine, user: User, **fields) -> OrderLine:
    """Change quantity/price/discount/tax/description/uom of a line (draft orders; quantity also later)."""
    raise NotImplementedError


def order_line_delete(*, line: OrderLine, user: User) -> None:
    """Delete a line of a draft order."""
    raise NotImplementedError


def order_line_set_delivered(*, line: OrderLine, quantity: Decimal, user: User | None) -> OrderLine:
    """Set the delivered quantity of a `manual` or goods line (by hand or by task completion)."""
    raise NotImplementedError


def order_confirm(*, order: Order, user: User) -> Order:
    """draft → sale. Sends `sales.signals.order_confirmed`. ConflictError if not a draft."""
    raise NotImplementedError


def order_lock(*, order: Order, user: User) -> Order:
    """sale → done (locked): no more edits, no upsell flagging."""
    raise NotImplementedError


def order_cancel(*, order: Order, user: User) -> Order:
    """draft/sale → cancel, refused (ConflictError) when anything is invoiced."""
    raise NotImplementedError


def order_lines_recompute(*, line_ids: Iterable[int]) -> None:
    """Recompute delivered / invoiced / to invoice / invoice status of these lines, set-based,
    then the invoice status and totals of their orders. Safe under concurrent writers.

    Called by the timesheets signals (create, change, delete, re-link) and the invoicing services.
    """
    raise NotImplementedError


SERVICE_ON_TIMESHEETS = "Service on Timesheets"


def product_ensure_service_on_timesheets() -> Product:
    """SPEC: enabling time billing on a helpdesk team ensures this product exists."""
    with transaction.atomic():
        product = (
            Product.objects.select_for_update()
            .filter(name=SERVICE_ON_TIMESHEETS, invoice_policy=Product.InvoicePolicy.TIMESHEET)
            .order_by("id")
            .first()
        )
        if product is None:
            product = Product.objects.create(
                name=SERVICE_ON_TIMESHEETS,
                type=Product.Type.SERVICE,
                invoice_policy=Product.InvoicePolicy.TIMESHEET,
                uom=Uom.objects.get(name="Hours"),
                price=Decimal("0.00"),
            )
        return product


def product_stock_move(*, product: Product, quantity: Decimal, allow_negative: bool = False) -> Product:
    """Change a product's on-hand quantity by `quantity` (negative = consumed), atomically.

    One conditional UPDATE, so concurrent consumers cannot take stock below zero unless allowed.
    """
    rows = Product.objects.filter(pk=product.pk)
    if not allow_negative and quantity < 0:
        rows = rows.filter(qty_on_hand__gte=-quantity)
    if rows.update(qty_on_hand=F("qty_on_hand") + quantity) == 0:
        product.refresh_from_db(fields=["qty_on_hand"])
        raise DomainError(
            f"Not enough {product.name} in stock: {product.qty_on_hand} on hand, {-quantity} needed.",
            field="quantity",
            code="stock",
        )
    product.refresh_from_db(fields=["qty_on_hand"])
    return product
