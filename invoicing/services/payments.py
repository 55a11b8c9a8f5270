"""Payments: what a customer paid on a posted invoice, or the refund paid out on a credit note."""

from datetime import date
from decimal import Decimal

from django.db import transaction

from audit import services as audit
from core.errors import ConflictError, DomainError
from core.models import User
from core.money import ZERO, quantize_money, to_decimal

from ..models import Invoice, Payment
from ..states import lock_invoice, payment_state, refresh

# What the audit trail records of a payment.
PAYMENT_AUDIT_FIELDS = ("amount_paid", "payment_state")


def _payment_amount(amount) -> Decimal:
    """The amount as a Decimal: more than 0, at most two decimals."""
    try:
        value = to_decimal(amount)
    except (TypeError, ArithmeticError, ValueError):
        raise DomainError("Enter the amount as a number.", field="amount") from None
    if not value.is_finite() or value <= 0:
        raise DomainError("The amount must be more than 0.", field="amount")
    if value != quantize_money(value):
        raise DomainError("Use at most two decimals for the amount.", field="amount")
    return value


def invoice_register_payment(
    *,
    invoice: Invoice,
    amount: Decimal,
    date: date,
    user: User,
    method: str = Payment.Method.BANK_TRANSFER,
    reference: str = "",
) -> Payment:
    """Record a payment on a posted invoice, or a refund on a posted credit note (what it still
    owes the customer); refuses more than the amount due."""
    value = _payment_amount(amount)
    if date is None:
        raise DomainError("Enter the payment date.", field="date")
    if method not in Payment.Method.values:
        raise DomainError("Choose a payment method.", field="method")
    with transaction.atomic():
        locked = lock_invoice(invoice)
        if locked.state != Invoice.State.POSTED:
            raise ConflictError(
                f"Invoice {locked} is {locked.get_state_display().lower()}: payments are registered on "
                "posted invoices only.",
                code="invoice_state",
            )
        due = locked.amount_due
        if value > due:
            raise DomainError(
                f"The amount ({value}) is more than the amount due ({max(due, ZERO)}).", field="amount"
            )
        before = audit.snapshot(locked, PAYMENT_AUDIT_FIELDS)
        payment = Payment.objects.create(
            invoice=locked,
            amount=value,
            date=date,
            method=method,
            reference=(reference or "")[:100],
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        locked.amount_paid = locked.amount_paid + value
        locked.payment_state = payment_state(locked)
        locked.save(update_fields=["amount_paid", "payment_state", "updated_at"])
        audit.record(
            actor=user,
            action="invoice.payment",
            obj=locked,
            changes=audit.diff(before, audit.snapshot(locked, PAYMENT_AUDIT_FIELDS)),
            amount=value,
            date=date,
            payment=payment.pk,
            method=method,
        )
    refresh(invoice, locked)
    return payment
