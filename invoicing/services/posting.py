"""A draft's two ways out: posted (numbered, frozen) or cancelled (its timesheet lines released).

Both move through `states.INVOICE_TRANSITIONS`; a posted invoice is corrected by a credit note
(`credit_notes`).
"""

from django.db import transaction
from django.utils import timezone

from core.errors import DomainError
from core.models import User
from sales.services import order_lines_recompute
from timesheets.models import TimesheetLine

from ..models import Invoice, InvoiceLine
from ..states import (
    check_transition,
    invoice_transition,
    lock_invoice,
    lock_invoice_action,
    post,
    refresh,
    sale_line_ids,
)


def invoice_post(*, invoice: Invoice, user: User) -> Invoice:
    """draft → posted: gapless yearly number, dates, frozen. Sends `invoicing.signals.invoice_posted`."""
    with transaction.atomic():
        locked = lock_invoice(invoice)
        check_transition(locked, Invoice.State.POSTED)
        if not locked.lines.filter(display_type=InvoiceLine.DisplayType.PRODUCT).exists():
            raise DomainError("An invoice without lines cannot be posted.", code="empty_invoice")
        if locked.due_date and locked.invoice_date and locked.due_date < locked.invoice_date:
            raise DomainError("The due date is before the invoice date.", field="due_date")
        post(locked, user)
    return refresh(invoice, locked)


def invoice_cancel(*, invoice: Invoice, user: User) -> Invoice:
    """draft → cancel; releases its timesheet lines."""
    with transaction.atomic():
        _, locked = lock_invoice_action(invoice, order_lines=True, timesheet_lines=True)
        check_transition(locked, Invoice.State.CANCEL)
        released = TimesheetLine.objects.filter(invoice=locked).update(
            invoice=None, invoice_line=None, updated_at=timezone.now()
        )
        invoice_transition(
            invoice=locked, to=Invoice.State.CANCEL, user=user, timesheet_lines_released=released
        )
        order_lines_recompute(line_ids=sale_line_ids(locked))
    return refresh(invoice, locked)
