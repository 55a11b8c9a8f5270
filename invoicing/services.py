"""Invoicing writes. CONTRACT: other apps code against these signatures."""

from datetime import date
from decimal import Decimal

from core.models import User
from sales.models import Order

from .models import Invoice, Payment


class Method:
    REGULAR = "regular"
    DOWN_PAYMENT_PERCENT = "down_payment_percent"
    DOWN_PAYMENT_FIXED = "down_payment_fixed"
    CHOICES = [
        (REGULAR, "Regular invoice"),
        (DOWN_PAYMENT_PERCENT, "Down payment (percentage)"),
        (DOWN_PAYMENT_FIXED, "Down payment (fixed amount)"),
    ]


def invoice_create_from_order(
    *,
    order: Order,
    user: User,
    method: str = Method.REGULAR,
    amount: Decimal | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
) -> Invoice:
    """Create a draft invoice from a confirmed/locked order (SPEC Invoicing).

    ConflictError when the order is not confirmed; DomainError("... nothing to invoice ...")
    when there is nothing to invoice. Links billed timesheet lines (bulk). Row-locks the order,
    so two concurrent calls create one invoice.
    """
    raise NotImplementedError


def invoice_post(*, invoice: Invoice, user: User) -> Invoice:
    """draft → posted: gapless yearly number, dates, frozen. Sends `invoicing.signals.invoice_posted`."""
    raise NotImplementedError


def invoice_cancel(*, invoice: Invoice, user: User) -> Invoice:
    """draft → cancel; releases its timesheet lines."""
    raise NotImplementedError


def invoice_credit_note(*, invoice: Invoice, user: User) -> Invoice:
    """Full credit note of a posted invoice (a posted RINV document); releases its timesheet lines."""
    raise NotImplementedError


def invoice_register_payment(
    *,
    invoice: Invoice,
    amount: Decimal,
    date: date,
    user: User,
    method: str = Payment.Method.BANK_TRANSFER,
    reference: str = "",
) -> Payment:
    """Record a payment on a posted invoice; refuses more than the amount due."""
    raise NotImplementedError
