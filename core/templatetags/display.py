"""`{% load display %}` · `{{ invoice.amount_total|money }}` -> "30,250.00 EUR";
`{{ invoice.invoice_date|day }}` -> "2026-12-01"; `{{ ticket.closed_at|day:"time" }}` adds the time."""

from django import template

from core.display import format_day, format_money

register = template.Library()


@register.filter
def money(value, currency=None) -> str:
    try:
        return format_money(value, currency)
    except (TypeError, ArithmeticError, ValueError):
        return ""


@register.filter
def day(value, with_time="") -> str:
    return format_day(value, with_time=bool(with_time))
