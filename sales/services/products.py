"""Product helpers other apps need (time billing product, stock moves)."""

from decimal import Decimal

from django.db import transaction
from django.db.models import (
    F,
)

from core.errors import DomainError

from ..models import Product, UomCategory
from ..selectors import uom_reference

SERVICE_ON_TIMESHEETS = "Service on Timesheets"


def _product_ensure(*, name: str, invoice_policy: str) -> Product:
    """The one service product of this name and policy, created (priced 0.00, in the reference
    time unit) if missing; the row lock makes two concurrent callers create it once."""
    with transaction.atomic():
        product = (
            Product.objects.select_for_update()
            .filter(name=name, invoice_policy=invoice_policy)
            .order_by("id")
            .first()
        )
        if product is None:
            product = Product.objects.create(
                name=name,
                type=Product.Type.SERVICE,
                invoice_policy=invoice_policy,
                uom=uom_reference(kind=UomCategory.Kind.TIME),
                price=Decimal("0.00"),
            )
        return product


def product_ensure_service_on_timesheets() -> Product:
    """SPEC: enabling time billing on a helpdesk team ensures this product exists."""
    return _product_ensure(name=SERVICE_ON_TIMESHEETS, invoice_policy=Product.InvoicePolicy.TIMESHEET)


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


CONTRACT_OVERAGE = "Contract overage"


def product_ensure_contract_overage() -> Product:
    """The product of contract overage lines: hours past a contract's balance, billed on the
    quantity set by the contract's period close (policy `manual`, so it never shows as prepaid
    hours left)."""
    return _product_ensure(name=CONTRACT_OVERAGE, invoice_policy=Product.InvoicePolicy.MANUAL)
