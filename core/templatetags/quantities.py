"""`{% load quantities %}` · `{{ line.qty_delivered|qty }}`: a quantity as stored ("1.625", "3.75")."""

from django import template

from core.money import format_qty

register = template.Library()


@register.filter
def qty(value) -> str:
    try:
        return format_qty(value)
    except (TypeError, ArithmeticError, ValueError):
        return ""
