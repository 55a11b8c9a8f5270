"""Unit conversion. Works on any object with `ratio` and `category_id` (sales.Uom)."""

from decimal import ROUND_CEILING, Decimal
from typing import NamedTuple

from .errors import DomainError
from .money import quantize_exact_qty, to_decimal


class ReferenceUnit(NamedTuple):
    """The reference unit of a category (Hours, Units): ratio 1."""

    category_id: int
    name: str = "the reference unit"
    ratio: Decimal = Decimal(1)


def convert_quantity(qty, from_uom, to_uom) -> Decimal:
    """Convert `qty` in `from_uom` to `to_uom` through the category's reference unit, exact to
    EXACT_QTY_PLACES (13 h = 1.625 Days). The SQL recompute of delivered quantities
    (`sales.services.quantities`) computes the same: ROUND(hours / ratio, EXACT_QTY_PLACES)."""
    if from_uom.category_id != to_uom.category_id:
        raise DomainError(
            f"Cannot convert {from_uom.name} to {to_uom.name}: units of different categories.",
            field="uom",
            code="uom_category",
        )
    value = to_decimal(qty) * to_decimal(from_uom.ratio) / to_decimal(to_uom.ratio)
    return quantize_exact_qty(value)


def hours_to_unit(hours, to_uom) -> Decimal:
    """Hours (the time category's reference unit) expressed in `to_uom`."""
    return convert_quantity(hours, ReferenceUnit(category_id=to_uom.category_id, name="Hours"), to_uom)


# --- billable rounding of timesheet durations ----------------------------------------------

_MINUTES_PER_HOUR = Decimal(60)


def billable_hours(hours, *, step_minutes: int = 0, minimum_minutes: int = 0) -> Decimal:
    """The billed duration of a timesheet line: its hours rounded up to `step_minutes` (0 = no
    rounding), at least `minimum_minutes`. Steps and minimums are multiples of 3 minutes, so the
    result is exact in hours with two decimals (66 min, step 15 → 75 min = 1.25 h)."""
    hours = to_decimal(hours)
    minutes = hours * _MINUTES_PER_HOUR
    if step_minutes:
        steps = (minutes / step_minutes).to_integral_value(rounding=ROUND_CEILING)
        minutes = steps * step_minutes
    if minimum_minutes and minutes < minimum_minutes:
        minutes = Decimal(minimum_minutes)
    return (minutes / _MINUTES_PER_HOUR).quantize(Decimal("0.01"))
