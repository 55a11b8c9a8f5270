"""Invoicing writes. CONTRACT: other apps code against these names; import them from
`invoicing.services`, not from its modules.

- `create`: `invoice_create_from_order` (writes the plan of `selectors.invoice_plan`).
- `drafts`: `invoice_update` (dates), `invoice_lines_update` (lines) of a draft.
- `posting`: `invoice_post`, `invoice_cancel`.
- `credit_notes`: `invoice_credit_note` (full or partial, settled against the invoice).
- `payments`: `invoice_register_payment`.

Locking order (shared with sales and timesheets, taken through `core.locks`): order → order
lines → invoice → timesheet lines. Every service is one transaction and records an audit event.
Invoice states move through `states.INVOICE_TRANSITIONS`.
"""

from ..selectors import Method
from .create import CREATE_AUDIT_FIELDS, invoice_create_from_order
from .credit_notes import SETTLEMENT_AUDIT_FIELDS, invoice_credit_note
from .drafts import (
    FREE_LINE_FIELDS,
    INVOICE_DRAFT_FIELDS,
    ORDER_LINE_EDITABLE,
    TOTAL_AUDIT_FIELDS,
    invoice_lines_update,
    invoice_update,
)
from .payments import PAYMENT_AUDIT_FIELDS, invoice_register_payment
from .posting import invoice_cancel, invoice_post

__all__ = [
    "CREATE_AUDIT_FIELDS",
    "FREE_LINE_FIELDS",
    "INVOICE_DRAFT_FIELDS",
    "ORDER_LINE_EDITABLE",
    "PAYMENT_AUDIT_FIELDS",
    "SETTLEMENT_AUDIT_FIELDS",
    "TOTAL_AUDIT_FIELDS",
    "Method",
    "invoice_cancel",
    "invoice_create_from_order",
    "invoice_credit_note",
    "invoice_lines_update",
    "invoice_post",
    "invoice_register_payment",
    "invoice_update",
]
