"""How money, hours and dates read, in one place: templates (`{% load display %}`), messages,
PDFs and the admin all go through these helpers, so a figure never reads two ways.

- money: "30,250.00 EUR" - two decimals, thousand separators, always its currency.
- hours: "1,234.50" (or "1,234.50 h") - two decimals, thousand separators; display only, the
  stored value is never rounded by it. Machine-read outputs (API, CSV) keep plain decimals.
- day: "2026-12-01" (DATE_FORMAT); a datetime in the local time zone, with its time on request.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import formats, timezone

from core.money import HOURS_PLACES, MONEY_PLACES, to_decimal

_HOURS_EXP = Decimal(1).scaleb(-HOURS_PLACES)


def format_money(amount, currency: str | None = None) -> str:
    if amount is None or amount == "":
        return ""
    number = formats.number_format(to_decimal(amount), MONEY_PLACES, force_grouping=True)
    return f"{number} {currency or settings.CURRENCY}"


def format_hours(value, unit: bool = False) -> str:
    if value is None or value == "":
        return ""
    number = Decimal(repr(value)) if isinstance(value, float) else to_decimal(value)
    number = number.quantize(_HOURS_EXP, rounding=ROUND_HALF_UP)
    if not number:
        number = abs(number)  # never "-0.00"
    text = formats.number_format(number, HOURS_PLACES, force_grouping=True)
    return f"{text} h" if unit else text


def format_day(value, with_time: bool = False) -> str:
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        if with_time:
            return formats.date_format(value, "DATETIME_FORMAT")
        value = value.date()
    return formats.date_format(value, "DATE_FORMAT")


def money_column(field_name: str, label: str):
    """An admin column (list_display, read-only field) showing a money field as format_money does."""

    def column(*args) -> str:
        # Called as obj (a plain callable) or (admin, obj) when set as a ModelAdmin attribute.
        return format_money(getattr(args[-1], field_name))

    column.short_description = label
    column.admin_order_field = field_name
    column.__name__ = f"{field_name}_money"
    return column
