"""`invoice_plan`: what an invoice of an order would contain (SPEC Invoicing). The service
`invoice_create_from_order` writes exactly that plan; `invoice_preview_from_order` shows it."""

from datetime import date
from decimal import Decimal

from core.errors import ConflictError, DomainError
from core.money import ZERO
from sales.models import Order
from sales.services import CONFIRMED_STATES

from .downpayments import downpayment_plan
from .planned import METHODS, InvoicePlan, Method, nothing_to_invoice
from .regular import regular_plan


def invoice_plan(
    *,
    order: Order,
    method: str = Method.REGULAR,
    amount: Decimal | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
) -> InvoicePlan:
    """What an invoice of `order` would hold, from the stored line figures. Raises
    ConflictError (order not confirmed) or DomainError (bad input, nothing to invoice)."""
    if method not in METHODS:
        raise DomainError(f"Unknown invoicing method {method!r}.", field="method")
    if order.state not in CONFIRMED_STATES:
        raise ConflictError(
            f"Order {order.name} is {order.get_state_display().lower()}: only confirmed orders can be "
            "invoiced.",
            code="order_state",
        )
    if method == Method.REGULAR:
        return regular_plan(order, period_start=period_start, period_end=period_end)
    if not order.is_invoiceable:
        raise nothing_to_invoice(order, "it is fully invoiced.")
    return downpayment_plan(order, method=method, amount=amount)


def invoice_preview_from_order(
    *,
    order: Order,
    method: str = Method.REGULAR,
    amount: Decimal | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
) -> dict:
    """What `invoice_create_from_order` would create, without writing:
    {"lines": [{"description", "quantity", "uom", "price_unit", "subtotal", "tax_amount", "total",
    "is_downpayment"}], "amount_untaxed", "amount_tax", "amount_total", "error": str | None}."""
    try:
        plan = invoice_plan(
            order=order, method=method, amount=amount, period_start=period_start, period_end=period_end
        )
    except DomainError as exc:
        return {
            "lines": [],
            "amount_untaxed": ZERO,
            "amount_tax": ZERO,
            "amount_total": ZERO,
            "error": exc.message,
        }
    return {
        "lines": [
            {
                "description": line.description,
                "quantity": line.quantity,
                "uom": line.uom.name if line.uom else "",
                "price_unit": line.price_unit,
                "subtotal": line.subtotal,
                "tax_amount": line.tax_amount,
                "total": line.total,
                "is_downpayment": line.is_downpayment,
            }
            for line in plan.product_lines
        ],
        "amount_untaxed": plan.amount_untaxed,
        "amount_tax": plan.amount_tax,
        "amount_total": plan.amount_total,
        "error": None,
    }
