"""`{% load display %}` · `{{ invoice.amount_total|money }}` -> "30,250.00 EUR";
`{{ line.hours|hours }}` -> "1,234.50", `{{ remaining|hours:"h" }}` -> "-2.00 h";
`{{ invoice.invoice_date|day }}` -> "2026-12-01"; `{{ ticket.closed_at|day:"time" }}` adds the time."""

from django import template
from django.utils.html import format_html

from core.display import format_day, format_hours, format_money
from core.widgets import date_format_hint, date_input_format

register = template.Library()


@register.filter
def money(value, currency=None) -> str:
    try:
        return format_money(value, currency)
    except (TypeError, ArithmeticError, ValueError):
        return ""


@register.filter
def hours(value, unit="") -> str:
    try:
        return format_hours(value, unit=bool(unit))
    except (TypeError, ArithmeticError, ValueError):
        return ""


@register.simple_tag
def date_input_attrs() -> str:
    """The attributes of a hand-written date <input> (core.widgets.SiteDateInput's): typed in
    the site's format, with the calendar button of static/js/date_input.js."""
    python_format = date_input_format()
    return format_html(
        'type="text" data-date-input="{}" placeholder="{}" autocomplete="off" spellcheck="false" size="11"',
        python_format,
        date_format_hint(python_format),
    )


@register.filter
def day(value, with_time="") -> str:
    return format_day(value, with_time=bool(with_time))
