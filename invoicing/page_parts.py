"""What invoicing adds to other apps' pages (registered in InvoicingConfig.ready): the invoices
of an order or a customer, each with its link and its state badges (one query)."""

from django.template.loader import render_to_string
from django.urls import reverse

from core import policy

from .models import Invoice


def _rows(invoices) -> list[Invoice]:
    rows = list(invoices)
    for invoice in rows:
        invoice.url = reverse("invoicing:invoice_detail", args=[invoice.pk])
        invoice.badges = render_to_string("invoicing/partials/state_badges.html", {"invoice": invoice})
    return rows


def order_invoices(*, order, **_context) -> dict:
    """The order page (sales): the order's invoices and credit notes, newest first."""
    return {"invoices": _rows(order.invoices.order_by("-id"))}


def customer_invoices(*, request, customer, **_context) -> dict:
    """The customer page (sales): the customer's latest 50 documents, for those who see invoices."""
    if not policy.may(request.user, "invoice.view"):
        return {"invoices": []}
    return {
        "invoices": _rows(
            Invoice.objects.filter(customer=customer).select_related("order").order_by("-id")[:50]
        )
    }
