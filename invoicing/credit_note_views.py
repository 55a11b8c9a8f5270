"""Browser dialog of a partial credit note: the invoice's lines, what each may still be credited,
and the quantity to credit. Thin: `invoicing.services.invoice_credit_note` decides."""

import re

from django.contrib import messages
from django.db import transaction
from django.shortcuts import render

from core import policy
from core.errors import DomainError

from .models import Invoice
from .selectors import invoice_creditable_lines
from .services import invoice_credit_note
from .views import _invoice, invoice_detail_url, redirect_after_dialog

_ENTRY = re.compile(r"lines\[(\d+)\]")


@policy.permission_required("invoice.credit")
def invoice_credit_note_partial(request, pk):
    """GET: the dialog. POST: credit the quantities entered (`qty_<invoice line id>`)."""
    invoice = _invoice(request, pk)
    rows = (
        invoice_creditable_lines(invoice=invoice)
        if invoice.state == Invoice.State.POSTED and invoice.kind == Invoice.Kind.INVOICE
        else []
    )
    values, error, error_line = {}, None, None
    if request.method == "POST":
        chosen = []
        for row in rows:
            raw = (request.POST.get(f"qty_{row.line.pk}") or "").strip().replace(",", ".")
            values[row.line.pk] = raw
            if raw and raw.strip("0.") != "":
                chosen.append({"invoice_line": row.line.pk, "quantity": raw})
        try:
            with transaction.atomic():
                credit = invoice_credit_note(invoice=invoice, user=request.user, lines=chosen)
        except DomainError as exc:
            error = exc.message
            match = _ENTRY.match(exc.field or "")
            if match and int(match.group(1)) < len(chosen):
                error_line = chosen[int(match.group(1))]["invoice_line"]
        else:
            messages.success(request, f"Credit note {credit.number} issued for {invoice}.")
            url = invoice_detail_url(credit)
            return redirect_after_dialog(request, url)
    context = {
        "invoice": invoice,
        "rows": [
            {"row": row, "value": values.get(row.line.pk, ""), "error": row.line.pk == error_line}
            for row in rows
        ],
        "error": error,
    }
    template = (
        "invoicing/partials/credit_note_dialog.html" if request.htmx else "invoicing/credit_note_page.html"
    )
    status = 400 if error and not request.htmx else 200
    return render(request, template, context, status=status)
