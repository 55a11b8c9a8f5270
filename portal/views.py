"""The customer portal: a portal contact sees their customers' tickets (and talks on them),
prepaid hours, and posted invoices (PDF). Every query is scoped by the customers the user is a
contact of (portal.selectors); anything else answers 404."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core import policy
from core.errors import DomainError
from core.money import ZERO
from core.views import apply_domain_error
from helpdesk import conversation_selectors, conversation_services
from helpdesk.forms import MessageForm
from invoicing import documents
from invoicing.peppol.documents import peppol_document_ensure, peppol_xml_bytes, ubl_filename
from sales import selectors as sales_selectors

from . import selectors
from .forms import PortalTicketForm

TICKETS_SHOWN = 50
INVOICES_SHOWN = 50

# Signed-in users with the customer role only (staff get 403: the portal is not theirs).
customer_required = policy.permission_required("portal.use")


def _with_signed_totals(invoices):
    """Credit notes count negative in the customer's list."""
    rows = list(invoices)
    for invoice in rows:
        sign = -1 if invoice.kind == invoice.Kind.CREDIT_NOTE else 1
        invoice.signed_total = sign * invoice.amount_total
        invoice.signed_due = sign * invoice.amount_due
    return rows


@customer_required
def home(request):
    customers = list(sales_selectors.portal_customers(request.user).order_by("name"))
    prepaid = selectors.prepaid_lines_for(customers)
    context = {
        "customers": customers,
        "tickets": selectors.portal_ticket_rows(user=request.user)[:TICKETS_SHOWN],
        "prepaid_lines": prepaid,
        "hours_left": sum((line.left for line in prepaid), ZERO),
        "burndowns": [line.burndown for line in prepaid if line.burndown],
        "invoices": _with_signed_totals(selectors.portal_invoices(user=request.user)[:INVOICES_SHOWN]),
        "can_open_ticket": bool(customers) and conversation_selectors.portal_teams().exists(),
    }
    return render(request, "portal/home.html", context)


@customer_required
@require_http_methods(["GET", "POST"])
def ticket_create(request):
    customers = sales_selectors.portal_customers(request.user).order_by("name")
    if request.method == "POST":
        form = PortalTicketForm(request.POST, request.FILES, customers=customers)
        if form.is_valid():
            data = form.cleaned_data
            try:
                ticket = conversation_services.ticket_open_from_portal(
                    user=request.user,
                    team=data["team"],
                    title=data["title"],
                    description=data["description"],
                    customer=data.get("customer"),
                    files=data["attachments"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, f"Ticket #{ticket.pk} opened. We will get back to you.")
                return redirect("portal:ticket_detail", ticket_id=ticket.pk)
    else:
        form = PortalTicketForm(customers=customers)
    return render(request, "portal/ticket_form.html", {"form": form}, status=400 if form.errors else 200)


def _ticket_context(request, ticket, *, form=None) -> dict:
    return {
        "ticket": ticket,
        "conversation": conversation_selectors.ticket_messages(ticket=ticket, user=request.user),
        "hours_per_day": selectors.ticket_hours_per_day(ticket=ticket),
        "message_form": form or MessageForm(prefix="msg", allow_internal=False),
    }


@customer_required
def ticket_detail(request, ticket_id: int):
    ticket = selectors.portal_ticket_get(user=request.user, ticket_id=ticket_id)
    return render(request, "portal/ticket_detail.html", _ticket_context(request, ticket))


@customer_required
@require_POST
def ticket_reply(request, ticket_id: int):
    ticket = selectors.portal_ticket_get(user=request.user, ticket_id=ticket_id)
    form = MessageForm(request.POST, request.FILES, prefix="msg", allow_internal=False)
    if form.is_valid():
        try:
            conversation_services.message_post(
                ticket=ticket,
                author=request.user,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["attachments"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "Reply sent.")
            return redirect("portal:ticket_detail", ticket_id=ticket.pk)
    context = _ticket_context(request, ticket, form=form)
    return render(request, "portal/ticket_detail.html", context, status=400)


@customer_required
def invoice_pdf(request, pk: int):
    """The stored PDF of a posted invoice of one of the user's customers; 404 for any other."""
    invoice = selectors.portal_invoice_get(user=request.user, invoice_id=pk)
    data = documents.invoice_pdf_bytes(invoice=invoice)
    response = HttpResponse(data, content_type="application/pdf")
    filename = documents.invoice_pdf_filename(invoice=invoice)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@customer_required
def invoice_ubl(request, pk: int):
    """The Peppol UBL (XML) of a posted invoice of one of the user's customers; 404 for any other."""
    invoice = selectors.portal_invoice_get(user=request.user, invoice_id=pk)
    # Posted but the documents task has not run yet: build it now, once.
    document = getattr(invoice, "peppol_document", None) or peppol_document_ensure(invoice=invoice)
    if document is None:
        raise Http404("This invoice has no e-invoice.")
    response = HttpResponse(peppol_xml_bytes(document), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{ubl_filename(invoice)}"'
    return response
