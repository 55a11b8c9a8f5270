"""Invoice states: the transition map, posting, payment states, and the row locks of invoice
actions (through `core.locks`). Shared by the invoicing services (`services/`)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from audit import services as audit
from core.errors import ConflictError
from core.locks import lock_billing, lock_one
from core.models import Sequence, User
from core.money import ZERO
from sales.models import Order, OrderLine
from timesheets.models import TimesheetLine

from . import signals
from .models import Invoice
from .peppol.references import payment_reference_for

SEQUENCES = {
    Invoice.Kind.INVOICE: ("invoice", "INV"),
    Invoice.Kind.CREDIT_NOTE: ("credit_note", "RINV"),
}


# Which state may move to which; `invoice_transition` refuses everything else. Credit notes and
# payments do not change the state of a posted invoice: they change its payment state.
INVOICE_TRANSITIONS = {
    Invoice.State.DRAFT: {Invoice.State.POSTED, Invoice.State.CANCEL},
    Invoice.State.POSTED: set(),
    Invoice.State.CANCEL: set(),
}
_REFUSED_MOVE = {
    Invoice.State.POSTED: "only drafts can be posted",
    Invoice.State.CANCEL: "only drafts can be cancelled; issue a credit note for a posted invoice",
}


def check_transition(invoice: Invoice, to: str) -> None:
    if to not in INVOICE_TRANSITIONS[invoice.state]:
        raise ConflictError(
            f"Invoice {invoice} is {invoice.get_state_display().lower()}: {_REFUSED_MOVE[to]}.",
            code="invoice_state",
        )


# What the audit trail compares before and after a state change.
TRANSITION_AUDIT_FIELDS = ("state", "number", "invoice_date", "due_date", "payment_reference")


def invoice_transition(
    *, invoice: Invoice, to: str, user: User | None, fields=(), before: dict | None = None, **data
) -> Invoice:
    """The one place an invoice changes state; the caller holds its row lock. `fields` are the
    other columns the move writes (posting: number, dates); `before` = the audited fields as they
    were before the caller set them."""
    check_transition(invoice, to)
    if before is None:
        before = audit.snapshot(invoice, TRANSITION_AUDIT_FIELDS)
    invoice.state = to
    invoice.save(update_fields=[*fields, "state", "updated_at"])
    action = {Invoice.State.POSTED: "invoice.post", Invoice.State.CANCEL: "invoice.cancel"}[to]
    changes = audit.diff(before, audit.snapshot(invoice, TRANSITION_AUDIT_FIELDS))
    audit.record(actor=user, action=action, obj=invoice, changes=changes, **data)
    return invoice


def lock_invoice_action(
    invoice: Invoice, *, order_lines: bool = False, timesheet_lines: bool = False, invoices=()
) -> tuple[Order | None, Invoice]:
    """Every lock an action on `invoice` needs, in the house order (core.locks): its order, the
    order's lines (when the action changes what is billed), the invoice (and `invoices`, e.g. the
    one a credit note settles), its timesheet lines. Returns the locked order and invoice."""
    order_id = invoice.order_id  # never changes once the invoice exists
    invoice_ids = {invoice.pk, *invoices}
    locks = lock_billing(
        orders=Order.objects.filter(pk=order_id) if order_id else None,
        order_lines=OrderLine.objects.filter(order_id=order_id).only("pk")
        if order_id and order_lines
        else None,
        invoices=Invoice.objects.select_related("customer").filter(pk__in=invoice_ids),
        timesheet_lines=TimesheetLine.objects.filter(invoice_id=invoice.pk).only("pk")
        if timesheet_lines
        else None,
    )
    locked = next((row for row in locks.invoices if row.pk == invoice.pk), None)
    if locked is None:
        raise Invoice.DoesNotExist(f"Invoice {invoice.pk} does not exist.")
    return (locks.orders[0] if locks.orders else None), locked


def lock_invoice(invoice: Invoice) -> Invoice:
    """An action that touches the invoice row only (dates, payments, posting)."""
    return lock_one(Invoice.objects.select_related("customer"), invoice.pk)


def refresh(instance: Invoice, fresh: Invoice) -> Invoice:
    for f in Invoice._meta.concrete_fields:
        setattr(instance, f.attname, getattr(fresh, f.attname))
    return instance


def sale_line_ids(invoice: Invoice) -> list[int]:
    return list(
        invoice.lines.filter(sale_line__isnull=False).values_list("sale_line_id", flat=True).distinct()
    )


def post(invoice: Invoice, user: User | None) -> Invoice:
    """Number, dates, state; the caller holds the invoice's row lock inside a transaction."""
    before = audit.snapshot(invoice, TRANSITION_AUDIT_FIELDS)
    invoice_date = invoice.invoice_date or timezone.localdate()
    code, prefix = SEQUENCES[invoice.kind]
    invoice.number = Sequence.next_value(
        code=code, year=invoice_date.year, prefix=f"{prefix}/{invoice_date.year}/"
    )
    invoice.invoice_date = invoice_date
    if invoice.due_date is None:
        invoice.due_date = invoice_date + datetime.timedelta(days=invoice.customer.payment_term_days)
    invoice.payment_reference = payment_reference_for(invoice)
    invoice.posted_at = timezone.now()
    invoice_transition(
        invoice=invoice,
        to=Invoice.State.POSTED,
        user=user,
        fields=["number", "invoice_date", "due_date", "payment_reference", "posted_at"],
        before=before,
    )
    signals.invoice_posted.send(sender=Invoice, invoice=invoice, user=user)
    return invoice


def payment_state(invoice: Invoice) -> str:
    """SPEC Credit notes: settled by payments and/or credit notes. An invoice whose amount due was
    taken off entirely by credit notes, with no payment, is `reversed`; a credit note that settled
    its invoice (or whose refund is paid) is `paid`."""
    if invoice.amount_paid + invoice.amount_settled <= 0:
        return Invoice.PaymentState.NOT_PAID
    if invoice.amount_due > 0:
        return Invoice.PaymentState.PARTIAL
    if invoice.kind == Invoice.Kind.INVOICE and invoice.amount_paid == 0:
        return Invoice.PaymentState.REVERSED
    return Invoice.PaymentState.PAID


def settle(*, invoice: Invoice, credit_note: Invoice) -> Decimal:
    """A posted credit note first settles what is still due on its invoice; the rest is owed to
    the customer (a refund, registered as a payment on the credit note). Both rows are locked by
    the caller. Returns the amount settled."""
    amount = max(min(credit_note.amount_due, invoice.amount_due), ZERO)
    invoice.amount_settled += amount
    credit_note.amount_settled += amount
    for document in (invoice, credit_note):
        document.payment_state = payment_state(document)
        document.save(update_fields=["amount_settled", "payment_state", "updated_at"])
    return amount
