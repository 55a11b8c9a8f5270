"""Sums over a list of invoices, as the invoice list and the home page show them: credit notes
count negative (SPEC Credit notes), cancelled documents count nothing. No DRF here: the home
page imports this from AppConfig.ready()."""

from django.db.models import Case, Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.money import MONEY_DIGITS, MONEY_PLACES, ZERO

from .models import Invoice

AMOUNT = DecimalField(max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES)
SETTLED = (Invoice.PaymentState.PAID, Invoice.PaymentState.REVERSED)


def overdue_q(today) -> Q:
    """Posted invoices (not credit notes) past their due date and not settled."""
    return Q(kind=Invoice.Kind.INVOICE, state=Invoice.State.POSTED, due_date__lt=today) & ~Q(
        payment_state__in=SETTLED
    )


def signed(name: str):
    """An amount column, negative for credit notes."""
    return Case(When(kind=Invoice.Kind.CREDIT_NOTE, then=-F(name)), default=F(name), output_field=AMOUNT)


def amount_due_signed():
    return ExpressionWrapper(
        signed("amount_total") - signed("amount_paid") - signed("amount_settled"), AMOUNT
    )


def invoice_list_totals(invoices: QuerySet[Invoice]) -> dict:
    """Untaxed and total of the live documents, amount due of the posted ones (one query)."""
    live = ~Q(state=Invoice.State.CANCEL)
    return invoices.order_by().aggregate(
        untaxed=Coalesce(Sum(signed("amount_untaxed"), filter=live), ZERO),
        total=Coalesce(Sum(signed("amount_total"), filter=live), ZERO),
        due=Coalesce(Sum(amount_due_signed(), filter=Q(state=Invoice.State.POSTED)), ZERO),
    )


def accounting_figures() -> dict:
    """Drafts to post, overdue invoices, amount due of posted documents (one query)."""
    return Invoice.objects.aggregate(
        drafts=Count("id", filter=Q(state=Invoice.State.DRAFT)),
        overdue=Count("id", filter=overdue_q(timezone.localdate())),
        due=Coalesce(Sum(amount_due_signed(), filter=Q(state=Invoice.State.POSTED)), ZERO),
    )
