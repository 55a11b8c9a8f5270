"""Money and quantity rounding: one place for precision, always ROUND_HALF_UP, never float."""

from decimal import ROUND_HALF_UP, Decimal

MONEY_PLACES = 2
QTY_PLACES = 2
HOURS_PLACES = 2
# Quantities derived by converting between units (delivered, invoiced, to invoice, invoice line
# quantities): exact for any quarter-hour total in the usual units (13 h = 1.625 Days,
# 0.25 h = 0.00625 Week (40 h)). Money is computed from these, never from a display rounding.
EXACT_QTY_PLACES = 6
# Field sizes shared by every model that stores money or quantities.
MONEY_DIGITS = 14
QTY_DIGITS = 14
EXACT_QTY_DIGITS = QTY_DIGITS + EXACT_QTY_PLACES - QTY_PLACES

_MONEY_EXP = Decimal(1).scaleb(-MONEY_PLACES)
_QTY_EXP = Decimal(1).scaleb(-QTY_PLACES)
_EXACT_QTY_EXP = Decimal(1).scaleb(-EXACT_QTY_PLACES)
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


def quantize_exact_qty(value) -> Decimal:
    """A derived quantity at stored precision (EXACT_QTY_PLACES)."""
    return to_decimal(value).quantize(_EXACT_QTY_EXP, rounding=ROUND_HALF_UP)


def format_qty(value) -> str:
    """A quantity for people and JSON: at least two decimals, no trailing zeros beyond them
    ("3.75", "1.625", "0.00625"). The value is shown as stored, never rounded to two places."""
    if value is None or value == "":
        return ""
    number = to_decimal(value)
    text = f"{number.normalize():f}" if number else "0"
    whole, _, decimals = text.partition(".")
    return f"{whole}.{decimals.ljust(QTY_PLACES, '0')}"


def line_subtotal(quantity, price_unit, discount=ZERO) -> Decimal:
    """round(quantity × unit price × (1 − discount%))."""
    q, p, d = to_decimal(quantity), to_decimal(price_unit), to_decimal(discount)
    return quantize_money(q * p * (1 - d / HUNDRED))


def tax_amount(subtotal, rate) -> Decimal:
    """Tax of one line, rounded per line."""
    return quantize_money(to_decimal(subtotal) * to_decimal(rate or 0) / HUNDRED)
