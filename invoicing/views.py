"""Browser screens of invoicing: list, detail, actions, payment dialog, create-invoice dialog,
PDF download, CSV export. Thin: every write goes through invoicing.services."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from audit.selectors import audit_history
from core import policy
from core.background import enqueue_after_commit, task_state_of
from core.csv_safe import SafeWriter
from core.display import format_money
from core.errors import DomainError
from core.filters import filter_for_page
from core.listing import SORT_PARAM, list_context, querystring
from core.money import ZERO
from core.views import apply_domain_error
from sales.models import Customer, Order
from sales.services import CONFIRMED_STATES

from . import selectors, services
from .documents import invoice_pdf_bytes, invoice_pdf_filename, invoice_pdf_ready
from .filters import INVOICE_SORTS, InvoiceListFilter
from .forms import CreateInvoiceForm, PaymentForm
from .list_totals import SETTLED, invoice_list_totals
from .models import Invoice, PeppolDocument
from .peppol.delivery import peppol_resend
from .peppol.documents import peppol_document_ensure, peppol_xml_bytes, ubl_filename
from .tasks import invoice_send_email_task

PAGE_SIZE = 25


def redirect_after_dialog(request, url: str) -> HttpResponse:
    """Leave a dialog for `url`: htmx follows HX-Redirect, a plain form a 302."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _invoice(request, pk) -> Invoice:
    """The invoice `pk` if the user may see it (the policy's `invoice` scope), else 404."""
    visible = policy.visible(request.user, "invoice")
    return get_object_or_404(visible.select_related("customer", "order", "reversed_invoice"), pk=pk)


def _filtered_invoices(request):
    """The invoice list's (and export's) rows: filtered and sorted by the query string."""
    visible = policy.visible(request.user, "invoice")
    filterset = InvoiceListFilter(
        request.GET, queryset=visible.select_related("customer", "order", "peppol_document"), request=request
    )
    sort = INVOICE_SORTS.parse(request.GET.get(SORT_PARAM))
    invoices = filter_for_page(filterset)
    invoices = INVOICE_SORTS.order(invoices, sort) if sort.key else invoices.order_by("-id")
    return filterset, sort, invoices


@policy.permission_required("invoice.view")
def invoice_list(request):
    filterset, sort, qs = _filtered_invoices(request)
    totals = invoice_list_totals(qs)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for invoice in page:
        invoice.is_overdue = _is_overdue(invoice, today)
    return render(
        request,
        "invoicing/invoice_list.html",
        {
            **list_context(request, sort=sort, page=page, filterset=filterset),
            "page": page,
            "totals": totals,
            "export_query": querystring(request.GET, page=None),
            "can_export": policy.may(request.user, "invoice.export"),
        },
    )


def _is_overdue(invoice: Invoice, today) -> bool:
    return (
        invoice.kind == Invoice.Kind.INVOICE
        and invoice.state == Invoice.State.POSTED
        and invoice.payment_state not in SETTLED
        and invoice.due_date is not None
        and invoice.due_date < today
    )


@policy.permission_required("invoice.export")
def invoice_export(request):
    _filterset, _sort, qs = _filtered_invoices(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="invoices.csv"'
    writer = SafeWriter(response)
    writer.writerow(
        [
            "number",
            "kind",
            "state",
            "payment_state",
            "customer",
            "order",
            "invoice_date",
            "due_date",
            "untaxed",
            "tax",
            "total",
            "paid",
            "settled",
            "due",
        ]
    )
    for inv in qs.iterator(chunk_size=500):
        writer.writerow(
            [
                inv.number or "",
                inv.kind,
                inv.state,
                inv.payment_state,
                inv.customer.name,
                inv.order.name if inv.order_id else "",
                inv.invoice_date or "",
                inv.due_date or "",
                inv.amount_untaxed_signed,
                inv.amount_tax_signed,
                inv.amount_total_signed,
                inv.amount_paid_signed,
                inv.signed(inv.amount_settled),
                inv.amount_due_signed,
            ]
        )
    return response


@policy.permission_required("invoice.view")
def invoice_detail(request, pk):
    invoice = _invoice(request, pk)
    user = request.user
    lines = list(invoice.lines.select_related("uom", "tax").order_by("sequence", "id"))
    timesheets = invoice.timesheets.select_related("employee", "ticket", "task", "invoice_line").order_by(
        "invoice_line__sequence", "date", "id"
    )
    _attach_worked_period(lines, timesheets)
    is_draft = invoice.state == Invoice.State.DRAFT
    is_posted = invoice.state == Invoice.State.POSTED

    def may(action: str) -> bool:
        return policy.may(user, action, invoice)

    credit_notes = list(invoice.credit_notes.exclude(state=Invoice.State.CANCEL).order_by("id"))
    creditable = is_posted and invoice.kind == Invoice.Kind.INVOICE
    context = {
        "invoice": invoice,
        "lines": lines,
        "timesheets": timesheets,
        "timesheet_total": sum((t.billed for t in timesheets), ZERO),
        "timesheet_actual_total": sum((t.hours for t in timesheets), ZERO),
        "payments": invoice.payments.select_related("created_by"),
        "credit_notes": credit_notes,
        "is_overdue": _is_overdue(invoice, timezone.localdate()),
        "can_post": may("invoice.post") and is_draft,
        "can_cancel": may("invoice.cancel") and is_draft,
        # A credited invoice offers no second full credit; what remains is credited line by line.
        "can_credit": may("invoice.credit") and creditable and not credit_notes,
        "can_credit_partial": may("invoice.credit")
        and creditable
        and any(row.remaining > 0 for row in selectors.invoice_creditable_lines(invoice=invoice)),
        # On a credit note the payment is the refund of what it still owes the customer.
        "can_pay": may("invoice.pay") and is_posted and invoice.amount_due > 0,
        "can_send": may("invoice.send") and is_posted and bool(invoice.customer.email),
        # A send asked for and not done yet: waiting for the task queue, queued, running, retried.
        "email_job": _email_job(invoice) if is_posted else None,
        "can_download": may("invoice.download"),
        "einvoice": PeppolDocument.objects.filter(invoice=invoice).first(),
        "can_send_einvoice": may("invoice.send")
        and invoice.customer.delivery_channel == Customer.DeliveryChannel.PEPPOL,
        "pdf_pending": is_posted and not invoice_pdf_ready(invoice),
        "history": audit_history(obj=invoice),
    }
    return render(request, "invoicing/invoice_detail.html", context)


def _attach_worked_period(lines, timesheets) -> None:
    """A line billed without a chosen period shows the dates of the time it bills (first and
    last timesheet date), so the Period column reads for every timesheet line."""
    by_line: dict[int, list] = {}
    by_sale_line: dict[int, list] = {}
    for sheet in timesheets:
        by_line.setdefault(sheet.invoice_line_id, []).append(sheet.date)
        by_sale_line.setdefault(sheet.sale_line_id, []).append(sheet.date)
    for line in lines:
        # Lines split per employee rate carry their own timesheets; others bill their order line's.
        worked = by_line.get(line.pk) or (line.sale_line_id and by_sale_line.get(line.sale_line_id))
        line.worked_from, line.worked_to = (min(worked), max(worked)) if worked else (None, None)


@policy.permission_required("invoice.download")
def invoice_ubl(request, pk):
    """The stored Peppol UBL of a posted invoice (404 for a draft: it has none); built first, once,
    if the documents task has not run yet."""
    invoice = _invoice(request, pk)
    policy.check(request.user, "invoice.download", invoice)
    document = PeppolDocument.objects.filter(invoice=invoice).first() or peppol_document_ensure(
        invoice=invoice
    )
    if document is None:
        raise Http404("This invoice has no e-invoice.")
    response = HttpResponse(peppol_xml_bytes(document), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{ubl_filename(document.invoice)}"'
    return response


@require_POST
@policy.permission_required("invoice.send")
def invoice_send_einvoice(request, pk):
    invoice = _invoice(request, pk)
    _run(request, invoice, peppol_resend, "E-invoice {invoice.number} queued for Peppol.")
    return redirect("invoicing:invoice_detail", pk=invoice.pk)


def _run(request, invoice, action, success: str):
    """Run one service in its own savepoint; a refusal becomes a message, never a 500."""
    try:
        with transaction.atomic():
            result = action(invoice=invoice, user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return None
    messages.success(request, success.format(invoice=result if isinstance(result, Invoice) else invoice))
    return result


@require_POST
@policy.permission_required("invoice.post")
def invoice_post(request, pk):
    invoice = _invoice(request, pk)
    _run(request, invoice, services.invoice_post, "Invoice posted as {invoice.number}.")
    return redirect("invoicing:invoice_detail", pk=invoice.pk)


@require_POST
@policy.permission_required("invoice.cancel")
def invoice_cancel(request, pk):
    invoice = _invoice(request, pk)
    policy.check(request.user, "invoice.cancel", invoice)
    _run(request, invoice, services.invoice_cancel, "Draft invoice cancelled; its timesheets are released.")
    return redirect("invoicing:invoice_detail", pk=invoice.pk)


@require_POST
@policy.permission_required("invoice.credit")
def invoice_credit_note(request, pk):
    invoice = _invoice(request, pk)
    credit = _run(request, invoice, services.invoice_credit_note, "Credit note {invoice.number} issued.")
    return redirect("invoicing:invoice_detail", pk=credit.pk if credit else invoice.pk)


@policy.permission_required("invoice.pay")
def invoice_pay(request, pk):
    invoice = _invoice(request, pk)
    if request.method == "POST":
        form = PaymentForm(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.invoice_register_payment(invoice=invoice, user=request.user, **form.cleaned_data)
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                amount = format_money(form.cleaned_data["amount"])
                messages.success(request, f"Payment of {amount} registered.")
                url = invoice_detail_url(invoice)
                return redirect_after_dialog(request, url)
    else:
        form = PaymentForm(initial={"amount": invoice.amount_due})
    template = "invoicing/partials/payment_dialog.html" if request.htmx else "invoicing/payment_page.html"
    return render(request, template, {"invoice": invoice, "form": form})


def _email_job(invoice):
    return task_state_of(f"invoicing.invoice:{invoice.pk}", invoice_send_email_task.name)


def invoice_detail_url(invoice) -> str:
    return reverse("invoicing:invoice_detail", kwargs={"pk": invoice.pk})


@require_POST
@policy.permission_required("invoice.send")
def invoice_send(request, pk):
    invoice = _invoice(request, pk)
    if invoice.state != Invoice.State.POSTED:
        messages.error(request, "Only a posted invoice can be sent.")
    elif not invoice.customer.email:
        messages.error(request, f"{invoice.customer} has no e-mail address.")
    else:
        enqueue_after_commit(invoice_send_email_task, invoice.pk, subject=f"invoicing.invoice:{invoice.pk}")
        # The task waits for the stored PDF (documents.invoice_pdf_bytes), so it can be queued now.
        when = "" if invoice_pdf_ready(invoice) else " as soon as its PDF is ready"
        messages.success(request, f"{invoice} is being sent to {invoice.customer.email}{when}.")
    return redirect("invoicing:invoice_detail", pk=invoice.pk)


@policy.permission_required("invoice.view")
def invoice_pdf_status(request, pk):
    """The "PDF being prepared" badge of a posted invoice; polled by the detail page until ready."""
    invoice = get_object_or_404(policy.visible(request.user, "invoice").only("state", "pdf_sha256"), pk=pk)
    return render(
        request,
        "invoicing/partials/pdf_status.html",
        {"invoice": invoice, "pdf_pending": not invoice_pdf_ready(invoice)},
    )


@policy.permission_required("invoice.download")
def invoice_pdf(request, pk):
    invoice = _invoice(request, pk)
    policy.check(request.user, "invoice.download", invoice)
    data = invoice_pdf_bytes(invoice=invoice)
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "inline" if request.GET.get("inline") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{invoice_pdf_filename(invoice=invoice)}"'
    if invoice.pdf_sha256:
        response["X-Content-SHA256"] = invoice.pdf_sha256
    return response


# --- Create-invoice dialog on an order --------------------------------------------------------


def _invoiceable_order(request, pk) -> Order:
    return get_object_or_404(policy.visible(request.user, "order").select_related("customer"), pk=pk)


def _has_timesheet_lines(order: Order) -> bool:
    return order.lines.filter(invoice_policy="timesheet", is_downpayment=False).exists()


@policy.permission_required("invoice.create")
def order_invoice_create(request, pk):
    """GET: the dialog with a preview of a regular invoice. POST action=preview|create."""
    order = _invoiceable_order(request, pk)
    with_period = _has_timesheet_lines(order)
    preview = None
    if request.method == "POST":
        form = CreateInvoiceForm(request.POST, with_period=with_period)
        if form.is_valid():
            if request.POST.get("action") == "create":
                try:
                    with transaction.atomic():
                        invoice = services.invoice_create_from_order(
                            order=order, user=request.user, **form.service_kwargs()
                        )
                except DomainError as error:
                    apply_domain_error(form, error)
                else:
                    messages.success(request, f"Draft invoice created from {order.name}.")
                    url = invoice_detail_url(invoice)
                    return redirect_after_dialog(request, url)
            preview = _preview(order, form.service_kwargs())
    else:
        form = CreateInvoiceForm(with_period=with_period)
        if order.state in CONFIRMED_STATES:
            preview = _preview(order, {"method": services.Method.REGULAR})
    context = {
        "order": order,
        "form": form,
        "preview": preview,
        "with_period": with_period,
        "can_invoice": order.is_invoiceable,
    }
    template = (
        "invoicing/partials/create_invoice_dialog.html"
        if request.htmx
        else "invoicing/create_invoice_page.html"
    )
    return render(request, template, context)


def _preview(order, kwargs) -> dict:
    try:
        return selectors.invoice_preview_from_order(order=order, **kwargs)
    except DomainError as error:
        return {"lines": [], "error": error.message}
