"""Form fields shared by the apps."""

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

MAX_HOURS_PER_LINE = Decimal("24")


class HoursField(forms.DecimalField):
    """Hours of a timesheet line (SPEC: two decimals, 0 < hours <= 24), entered as text.

    A plain text input (decimal keyboard on phones), not `type=number`: the browser never blocks
    the form with its own bubble or sends an empty value for "1,5" or "abc"; the server answers
    every mistake as a field error. A decimal comma is read as a point (1,5 = 1.5)."""

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
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 6})
        )
        super().__init__(**kwargs)
        self.validators += [
            MinValueValidator(Decimal("0.01"), message="Hours must be more than zero."),
            MaxValueValidator(MAX_HOURS_PER_LINE, message="A line cannot have more than 24 hours."),
        ]

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)

    def widget_attrs(self, widget):
        # DecimalField adds step/min/max for number inputs only; a text input gets none.
        return forms.Field.widget_attrs(self, widget)
