"""The customer portal: a portal contact sees their customers' tickets, prepaid hours and
posted invoices (PDF). Everything is filtered by the customers the user is a contact of;
anything else answers 404."""

from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from core.money import ZERO, quantize_qty
from core.permissions import role_required
from helpdesk.models import Ticket
from invoicing import documents
from invoicing.models import Invoice
from sales import selectors as sales_selectors
from sales.models import Product, UomCategory

TICKETS_SHOWN = 50


# Signed-in users with the customer role only (staff get 403: the portal is not theirs).
customer_required = role_required("customer", message="The customer portal is for customer contacts.")


@dataclass(frozen=True)
class PrepaidLine:
    """One prepaid block of hours as the customer sees it (all figures in hours)."""

    customer: str
    order: str
    description: str
    sold: Decimal
    used: Decimal
    left: Decimal

    @property
    def used_percent(self) -> int:
        if self.sold <= 0:
            return 100
        return min(100, int(self.used * 100 / self.sold))


def prepaid_lines_for(customers) -> list[PrepaidLine]:
    rows = []
    for customer in customers:
        lines = (
            sales_selectors.customer_sale_lines(customer=customer)
            .filter(invoice_policy=Product.InvoicePolicy.PREPAID, uom__category__kind=UomCategory.Kind.TIME)
            .select_related("order", "uom", "product")
            .order_by("-order__order_date", "order_id", "sequence", "id")
        )
        for line in lines:
            # Time units convert to hours by their ratio; `remaining_hours` is annotated by the selector.
            sold = quantize_qty(line.quantity * line.uom.ratio)
            left = quantize_qty(line.remaining_hours)
            rows.append(
                PrepaidLine(
                    customer=customer.name,
                    order=line.order.name,
                    description=line.description or str(line.product or ""),
                    sold=sold,
                    used=sold - left,
                    left=left,
                )
            )
    return rows


@customer_required
def home(request):
    customers = list(request.user.customers.order_by("name"))
    tickets = (
        Ticket.objects.filter(customer__in=customers)
        .select_related("stage", "customer")
        .order_by("stage__is_closed", "-id")[:TICKETS_SHOWN]
    )
    invoices = (
        Invoice.objects.filter(customer__in=customers, state=Invoice.State.POSTED)
        .select_related("customer")
        .order_by("-invoice_date", "-id")
    )
    prepaid = prepaid_lines_for(customers)
    context = {
        "customers": customers,
        "tickets": tickets,
        "prepaid_lines": prepaid,
        "hours_left": sum((line.left for line in prepaid), ZERO),
        "invoices": invoices,
    }
    return render(request, "portal/home.html", context)


@customer_required
def invoice_pdf(request, pk: int):
    """The PDF of a posted invoice of one of the user's customers; 404 for any other."""
    invoice = get_object_or_404(
        Invoice, pk=pk, state=Invoice.State.POSTED, customer__in=request.user.customers.all()
    )
    data = documents.invoice_pdf_bytes(invoice=invoice)
    response = HttpResponse(data, content_type="application/pdf")
    filename = documents.invoice_pdf_filename(invoice=invoice)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
