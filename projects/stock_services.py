"""Stock writes: goods received into stock.

A receipt is a stock move like a consumption on a task (`projects.services`), with the day the
goods came in and the supplier's reference. The product row is locked (`select_for_update`)
while its quantity on hand grows by an `F()` update and the move is written, in one transaction:
concurrent receipts and consumptions lose nothing, and the quantity on hand always equals the
quantity it started from plus its moves.

Who may receive goods: admins and sales (they sell the goods and follow their deliveries);
accountants and agents read the stock only.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit import services as audit
from core import policy
from core.errors import DomainError
from core.models import User
from core.money import quantize_qty, to_decimal
from sales.models import Product

from .models import StockMove

MAX_RECEIPT = Decimal("1000000")


def user_may_receive_stock(user) -> bool:
    return policy.may(user, "stock.receive")


def _check_quantity(quantity) -> Decimal:
    try:
        value = to_decimal(quantity)
    except (TypeError, ValueError, InvalidOperation):
        raise DomainError("Enter the quantity received as a number, e.g. 12.", field="quantity") from None
    if value is None or not value.is_finite():
        raise DomainError("Enter the quantity received as a number, e.g. 12.", field="quantity")
    if value <= 0:
        raise DomainError("The quantity received must be more than zero.", field="quantity")
    if value >= MAX_RECEIPT:
        raise DomainError("That quantity is too large for one receipt.", field="quantity")
    if quantize_qty(value) != value:
        raise DomainError("Use at most two decimals for the quantity.", field="quantity")
    return quantize_qty(value)


def _check_date(value) -> datetime.date:
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise DomainError("Enter the date the goods came in.", field="date")
    if value > timezone.localdate():
        raise DomainError("A receipt cannot be dated in the future.", field="date")
    return value


def stock_receive(
    *, product: Product, quantity, date: datetime.date, user: User, reference: str = "", note: str = ""
) -> StockMove:
    """Receive `quantity` of a goods product into stock; returns the receipt (a stock move).
    DomainError (field-level) for a service product, a bad quantity or date, or a user who may
    not receive goods."""
    if not user_may_receive_stock(user):
        raise DomainError("Only admins and sales receive goods into stock.", code="forbidden")
    quantity = _check_quantity(quantity)
    day = _check_date(date)
    reference, note = (reference or "").strip(), (note or "").strip()
    if len(reference) > 100:
        raise DomainError("Keep the reference under 100 characters.", field="reference")
    if len(note) > 200:
        raise DomainError("Keep the note under 200 characters.", field="note")
    with transaction.atomic():
        locked = Product.objects.select_for_update().filter(pk=product.pk).first()
        if locked is None:
            raise DomainError("No such product.", field="product")
        if locked.type != Product.Type.GOODS:
            raise DomainError(f"{locked.name} is a service: only goods are kept in stock.", field="product")
        Product.objects.filter(pk=locked.pk).update(qty_on_hand=F("qty_on_hand") + quantity)
        move = StockMove.objects.create(
            kind=StockMove.Kind.RECEIPT,
            date=day,
            product=locked,
            quantity=quantity,
            reference=reference,
            note=note,
            user=user,
        )
        audit.record(
            actor=user, action="stock.receive", obj=locked, quantity=str(quantity), reference=reference
        )
    product.refresh_from_db(fields=["qty_on_hand"])
    return move
