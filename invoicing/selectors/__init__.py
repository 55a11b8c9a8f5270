"""Invoicing reads. CONTRACT: other apps code against these names; import them from
`invoicing.selectors`, not from its modules.

- `plan`: `invoice_plan` (what an invoice of an order would contain: `regular` or
  `downpayments`, in the shapes of `planned`) and `invoice_preview_from_order`.
- `credits`: `invoice_creditable_lines` (what a posted invoice may still have credited).
- `visibility`: `invoices_visible_to`, the `invoice` scope of `core.policy`.
"""

from .credits import CreditableLine, invoice_creditable_lines
from .plan import invoice_plan, invoice_preview_from_order
from .planned import METHODS, InvoicePlan, Method, PlannedLine
from .regular import DOWN_PAYMENTS_SECTION
from .visibility import invoices_visible_to

__all__ = [
    "DOWN_PAYMENTS_SECTION",
    "METHODS",
    "CreditableLine",
    "InvoicePlan",
    "Method",
    "PlannedLine",
    "invoice_creditable_lines",
    "invoice_plan",
    "invoice_preview_from_order",
    "invoices_visible_to",
]
