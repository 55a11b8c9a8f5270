"""Form fields shared by the apps."""

import datetime
import re
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import formats
from django.utils.functional import lazy
from django.utils.html import format_html

from core.money import MONEY_PLACES
from core.widgets import SiteDateInput, date_format_hint, date_input_format

MAX_HOURS_PER_LINE = Decimal("24")


def _bad_date_message() -> str:
    example = datetime.date(2026, 12, 1).strftime(date_input_format())
    return f"Enter a date as {date_format_hint()}, e.g. {example}."


class SiteDateField(forms.DateField):
    """A date typed in the site's one format (`SiteDateInput`); a date the server cannot read is
    a field error naming that format."""

    widget = SiteDateInput
    default_error_messages = {"invalid": lazy(_bad_date_message, str)()}


def parse_site_date(text) -> datetime.date | None:
    """A date typed in a hand-written form field (as `SiteDateField` reads it); None if unreadable."""
    try:
        return SiteDateField(required=False).clean(text)
    except forms.ValidationError:
        return None


class DecimalTextField(forms.DecimalField):
    """A decimal typed in a text field (decimal keyboard on phones), not `type=number`: the
    browser never blocks the form with its own bubble or sends an empty value for "1,5" or
    "abc"; the server answers every mistake as a field error. A decimal comma is read as a
    point (1,5 = 1.5); thousand separators ("1,250.00") are read too when a point follows."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 6})
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(" ", "")
            value = value.replace(",", "") if "." in value else value.replace(",", ".")
        return super().to_python(value)

    def widget_attrs(self, widget):
        # DecimalField adds step/min/max for number inputs only; a text input gets none.
        return forms.Field.widget_attrs(self, widget)


class HoursField(DecimalTextField):
    """Hours of a timesheet line (SPEC: two decimals, 0 < hours <= 24), entered as text."""

    default_error_messages = {
        "required": "Enter the hours.",
        "invalid": "Enter the hours as a number, e.g. 1.5.",
        "max_decimal_places": "Enter the hours with at most two decimals, e.g. 1.25.",
        "max_digits": "A line cannot have more than 24 hours.",
        "max_whole_digits": "A line cannot have more than 24 hours.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 6)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)
        self.validators += [
            MinValueValidator(Decimal("0.01"), message="Hours must be more than zero."),
            MaxValueValidator(MAX_HOURS_PER_LINE, message="A line cannot have more than 24 hours."),
        ]


class MoneyInput(forms.TextInput):
    """A money amount with its thousand separators and two decimals, the currency beside it."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", "size": 14, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Decimal | int):
            return formats.number_format(value, MONEY_PLACES, force_grouping=True)
        return super().format_value(value)

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        return format_html('{} <span class="money-currency">{}</span>', html, settings.CURRENCY)


class MoneyField(DecimalTextField):
    """Reads "30,250.00", "30250", "30 250,5" and "30,250.00 EUR" (the company currency) back."""

    widget = MoneyInput
    default_error_messages = {"invalid": "Enter an amount, e.g. 1,250.00."}

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MoneyInput)
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(rf"(?i)\s*{re.escape(settings.CURRENCY)}\s*$", "", value.strip())
        return super().to_python(value)
