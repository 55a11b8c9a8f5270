"""Invoicing reads. CONTRACT: other apps code against these signatures."""

from datetime import date
from decimal import Decimal

from sales.models import Order


def invoice_preview_from_order(
    *,
    order: Order,
    method: str = "regular",
    amount: Decimal | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
) -> dict:
    """What `invoice_create_from_order` would create, without writing:
    {"lines": [{"description", "quantity", "uom", "price_unit", "subtotal", "tax_amount", "total",
    "is_downpayment"}], "amount_untaxed", "amount_tax", "amount_total", "error": str | None}."""
    raise NotImplementedError
