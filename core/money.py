"""Money and quantity rounding: one place for precision, always ROUND_HALF_UP, never float."""

from decimal import ROUND_HALF_UP, Decimal

MONEY_PLACES = 2
QTY_PLACES = 2
HOURS_PLACES = 2
# Field sizes shared by every model that stores money or quantities.
MONEY_DIGITS = 14
QTY_DIGITS = 14

_MONEY_EXP = Decimal(1).scaleb(-MONEY_PLACES)
_QTY_EXP = Decimal(1).scaleb(-QTY_PLACES)
ZERO = Decimal("0.00")
HUNDRED = Decimal("100")


def to_decimal(value) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        raise TypeError("floats are not accepted for money or quantities")
    return Decimal(str(value if value is not None else 0))


def quantize_money(value) -> Decimal:
    return to_decimal(value).quantize(_MONEY_EXP, rounding=ROUND_HALF_UP)


def quantize_qty(value) -> Decimal:
    return to_decimal(value).quantize(_QTY_EXP, rounding=ROUND_HALF_UP)


def line_subtotal(quantity, price_unit, discount=ZERO) -> Decimal:
    """round(quantity × unit price × (1 − discount%))."""
    q, p, d = to_decimal(quantity), to_decimal(price_unit), to_decimal(discount)
    return quantize_money(q * p * (1 - d / HUNDRED))


def tax_amount(subtotal, rate) -> Decimal:
    """Tax of one line, rounded per line."""
    return quantize_money(to_decimal(subtotal) * to_decimal(rate or 0) / HUNDRED)
