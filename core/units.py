"""Unit conversion. Works on any object with `ratio` and `category_id` (sales.Uom)."""

from decimal import Decimal

from .errors import DomainError
from .money import quantize_qty, to_decimal


def convert_quantity(qty, from_uom, to_uom, *, rounded: bool = True) -> Decimal:
    """Convert `qty` in `from_uom` to `to_uom` through the category's reference unit."""
    if from_uom.category_id != to_uom.category_id:
        raise DomainError(
            f"Cannot convert {from_uom.name} to {to_uom.name}: units of different categories.",
            field="uom",
            code="uom_category",
        )
    value = to_decimal(qty) * to_decimal(from_uom.ratio) / to_decimal(to_uom.ratio)
    return quantize_qty(value) if rounded else value
