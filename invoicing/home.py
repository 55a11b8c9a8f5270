"""Accounting figures on the home page (core.home): drafts to post, overdue invoices, amount due."""

from django.urls import reverse

from core.display import format_money
from core.home import Figure

from .list_totals import accounting_figures
from .models import Invoice


def accountant_figures(*, user) -> list[Figure]:
    figures = accounting_figures()
    invoices = reverse("invoicing:invoice_list")
    return [
        Figure(
            key="drafts_to_post",
            label="Drafts to post",
            value=str(figures["drafts"]),
            url=f"{invoices}?state={Invoice.State.DRAFT}",
        ),
        Figure(
            key="overdue",
            label="Overdue invoices",
            value=str(figures["overdue"]),
            url=f"{invoices}?overdue=1",
            attention=figures["overdue"] > 0,
        ),
        Figure(
            key="amount_due",
            label="Amount due",
            value=format_money(figures["due"]),
            url=f"{invoices}?state={Invoice.State.POSTED}",
            hint="Posted invoices less credit notes, not yet paid.",
        ),
    ]
