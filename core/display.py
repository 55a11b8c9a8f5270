"""How money and dates read, in one place: templates (`{% load display %}`), messages, PDFs and
the admin all go through these two helpers, so a date or an amount never reads two ways.

- money: "30,250.00 EUR" - two decimals, thousand separators, always its currency.
- day: "2026-12-01" (DATE_FORMAT); a datetime in the local time zone, with its time on request.
"""

import datetime

from django.conf import settings
from django.utils import formats, timezone

from core.money import MONEY_PLACES, to_decimal


def format_money(amount, currency: str | None = None) -> str:
    if amount is None or amount == "":
        return ""
    number = formats.number_format(to_decimal(amount), MONEY_PLACES, force_grouping=True)
    return f"{number} {currency or settings.CURRENCY}"


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
