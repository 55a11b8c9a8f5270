"""Checks and small helpers shared by the order and order-line services."""

from decimal import Decimal, InvalidOperation

from core.errors import DomainError
from core.locks import lock_one
from core.money import HUNDRED, ZERO, line_subtotal, quantize_money, quantize_qty, tax_amount, to_decimal

from ..models import Order, OrderLine, Product, Uom


def decimal_input(value, *, field: str) -> Decimal:
    try:
        result = to_decimal(value)
    except (TypeError, InvalidOperation, ValueError):
        raise DomainError(f"Enter a number for {field}.", field=field) from None
    if not result.is_finite():
        raise DomainError(f"Enter a number for {field}.", field=field)
    return result


def lock_order(order: Order) -> Order:
    """Re-read the order under a row lock (FOR NO KEY UPDATE: inserts of child rows still pass)."""
    return lock_one(Order.objects.all(), order.pk)


def refresh_instance(instance, fresh) -> None:
    """Copy the stored values of `fresh` onto the caller's instance, so it is current."""
    for f in instance._meta.concrete_fields:
        setattr(instance, f.attname, getattr(fresh, f.attname))


def line_amounts(line: OrderLine, tax_rate) -> None:
    line.price_subtotal = line_subtotal(line.quantity, line.price_unit, line.discount)
    line.price_tax = tax_amount(line.price_subtotal, tax_rate)
    line.price_total = line.price_subtotal + line.price_tax


def check_uom(*, product: Product, uom: Uom) -> None:
    if uom.category_id != product.uom.category_id:
        raise DomainError(
            f"{product.name} is sold in {product.uom.category.name.lower()} units; "
            f"{uom.name} is not one of them.",
            field="uom",
            code="uom_category",
        )


def check_quantity(quantity) -> Decimal:
    quantity = decimal_input(quantity, field="quantity")
    if quantity < 0:
        raise DomainError("The quantity cannot be negative.", field="quantity")
    if quantity != quantize_qty(quantity):
        raise DomainError("Use at most two decimals for the quantity.", field="quantity")
    return quantity


def check_discount(discount) -> Decimal:
    discount = decimal_input(discount, field="discount")
    if not ZERO <= discount <= HUNDRED:
        raise DomainError("The discount is a percentage between 0 and 100.", field="discount")
    return discount.quantize(Decimal("0.01"))


def check_price(price_unit) -> Decimal:
    price_unit = decimal_input(price_unit, field="price_unit")
    if price_unit < 0:
        raise DomainError("The unit price cannot be negative.", field="price_unit")
    return quantize_money(price_unit)
