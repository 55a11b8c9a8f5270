"""Sales writes: orders, lines, state transitions, and the derived quantities of order lines.

CONTRACT (other apps code against these signatures; keep them).
"""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

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
