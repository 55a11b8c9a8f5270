"""Invoice documents (PDF with embedded Factur-X). CONTRACT: other apps code against these.

A posted invoice's PDF is rendered once, AFTER the posting transaction commits (a Celery task
queued by receivers.py; posting stays quick and never holds the year's number row while a PDF
is made), stored through Django's storage API in `Invoice.pdf` with its SHA-256 in
`Invoice.pdf_sha256`, and served from those stored bytes ever after. Until the task has run,
`invoice_pdf_bytes` renders and stores it on demand, once even under concurrent requests.
A draft (or cancelled) invoice renders a watermarked preview on demand, never stored.
"""

import hashlib
import zlib
from collections import OrderedDict
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.template.loader import render_to_string

from core.faults import fault_pause
from core.money import ZERO

from . import facturx as fx
from .appendix import appendix_pages, appendix_uses_table
from .models import Invoice, InvoiceLine
from .peppol.categories import line_vat_category

# Namespace of the PostgreSQL advisory locks that serialise the rendering of one invoice's PDF.
_PDF_LOCK_NAMESPACE = zlib.crc32(b"invoicing.invoice_pdf") & 0x7FFFFFFF


def invoice_pdf_filename(*, invoice: Invoice) -> str:
    """A file name for downloads, e.g. "INV-2026-00001.pdf"."""
    if invoice.number:
        return f"{invoice.number.replace('/', '-')}.pdf"
    return f"draft-invoice-{invoice.pk}.pdf"


def invoice_pdf_ready(invoice: Invoice) -> bool:
    """Has this posted invoice's PDF been stored? (False while "PDF being prepared".)"""
    return invoice.pdf_ready


def invoice_pdf_bytes(*, invoice: Invoice) -> bytes:
    """The PDF of an invoice: for a posted invoice the stored bytes (rendered and stored first if
    the task has not run yet); for a draft a watermarked preview rendered on demand."""
    if invoice.state != Invoice.State.POSTED:
        return render_invoice_pdf(invoice=invoice, watermark=_watermark(invoice))
    stored = Invoice.objects.only("pdf", "pdf_sha256").get(pk=invoice.pk)
    if stored.pdf and stored.pdf_sha256:
        data = _read_stored(stored)
        if data is not None:
            invoice.pdf, invoice.pdf_sha256 = stored.pdf, stored.pdf_sha256
            return data
    return invoice_pdf_store(invoice=invoice)


def invoice_pdf_store(*, invoice: Invoice) -> bytes:
    """Render, store and fingerprint a posted invoice's PDF once; return the stored bytes.

    Idempotent under concurrency without locking the invoice row (payments stay possible while
    a long PDF renders): a transaction-level advisory lock per invoice serialises the renderers,
    and whoever gets it second reads the row again and finds the stored file.
    """
    with transaction.atomic():
        lock_invoice_documents(invoice.pk)
        row = Invoice.objects.select_related("customer", "order", "reversed_invoice").get(pk=invoice.pk)
        if row.pdf and row.pdf_sha256:
            data = _read_stored(row)
            if data is not None:
                invoice.pdf, invoice.pdf_sha256 = row.pdf, row.pdf_sha256
                return data
        if row.state != Invoice.State.POSTED:
            raise ValueError("Only posted invoices have a stored PDF.")
        data = render_invoice_pdf(invoice=row, watermark="", with_facturx=True)
        digest = hashlib.sha256(data).hexdigest()
        year = (row.invoice_date or date.today()).year
        path = f"invoices/{year}/{invoice_pdf_filename(invoice=row)}"
        # A file already there, while the row names none, is what a renderer killed before its
        # commit left behind (its row update rolled back): replace it, so one file is stored.
        if default_storage.exists(path) and not Invoice.objects.filter(pdf=path).exists():
            default_storage.delete(path)
        name = default_storage.save(path, ContentFile(data))
        # A posted invoice is frozen: write the two document fields without going through save().
        Invoice.objects.filter(pk=row.pk).update(pdf=name, pdf_sha256=digest)
        fault_pause("invoice_pdf_stored")  # tests only: core/faults.py
        invoice.pdf, invoice.pdf_sha256 = name, digest
        return data


def lock_invoice_documents(invoice_id: int) -> None:
    """Serialises the making of one invoice's stored documents (PDF, UBL). Held until the
    surrounding transaction ends, i.e. after the stored file's row is committed."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_PDF_LOCK_NAMESPACE, invoice_id % 2**31])
    else:  # SQLite (embedded, one process): writers are serialised by the database itself.
        Invoice.objects.select_for_update().filter(pk=invoice_id).exists()


def _read_stored(row: Invoice) -> bytes | None:
    try:
        with default_storage.open(row.pdf.name, "rb") as handle:
            data = handle.read()
    except (FileNotFoundError, OSError):
        return None
    if hashlib.sha256(data).hexdigest() != row.pdf_sha256:
        raise ValueError(f"Stored PDF of {row} does not match its SHA-256: refusing to serve it.")
    return data


def _watermark(invoice: Invoice) -> str:
    return "CANCELLED" if invoice.state == Invoice.State.CANCEL else "DRAFT"


def invoice_document_context(invoice: Invoice) -> dict:
    """Everything the PDF template shows, read from the stored invoice rows."""
    lines = list(invoice.lines.select_related("uom", "tax", "sale_line").order_by("sequence", "id"))
    timesheets = list(
        # Grouped under the invoice line that bills them (one per hourly rate), then by date.
        invoice.timesheets.select_related("employee", "sale_line", "invoice_line").order_by(
            "invoice_line__sequence", "date", "id"
        )
        if invoice.pk
        else []
    )
    # The service period of timesheet lines: the stored one, else the span of its billed lines.
    span: dict[int, list] = {}
    for ts in timesheets:
        if ts.sale_line_id:
            low_high = span.setdefault(ts.sale_line_id, [ts.date, ts.date])
            low_high[0], low_high[1] = min(low_high[0], ts.date), max(low_high[1], ts.date)
    rows = []
    for line in lines:
        start, end = line.period_start, line.period_end
        if not (start or end) and line.sale_line_id in span:
            start, end = span[line.sale_line_id]
        rows.append({"line": line, "period_start": start, "period_end": end})

    taxes: OrderedDict[str, dict] = OrderedDict()
    for line in lines:
        if line.display_type != InvoiceLine.DisplayType.PRODUCT:
            continue
        label = line.tax.name if line.tax else f"VAT {line.tax_rate.normalize():f} %"
        reason = line_vat_category(line, invoice.customer).reason  # e.g. "Reverse charge"
        if reason:
            label = f"{label} ({reason})"
        entry = taxes.setdefault(label, {"label": label, "rate": line.tax_rate, "base": ZERO, "amount": ZERO})
        entry["base"] += line.subtotal
        entry["amount"] += line.tax_amount

    timesheet_total = sum((ts.hours for ts in timesheets), Decimal("0.00"))
    billed_total = sum((ts.billed for ts in timesheets), Decimal("0.00"))
    company = dict(settings.COMPANY)
    company["logo_url"] = _logo_url(company.get("logo", ""))
    return {
        "invoice": invoice,
        "customer": invoice.customer,
        "company": company,
        "currency": getattr(settings, "CURRENCY", "EUR"),
        "rows": rows,
        "timesheets": timesheets,
        "timesheet_total": billed_total,
        "timesheet_actual_total": timesheet_total,
        # A long appendix is a fixed-width listing (see appendix.py): a table is too slow to lay out.
        "appendix_pages": (
            []
            if appendix_uses_table(len(timesheets))
            else appendix_pages(timesheets, timesheet_total, billed_total)
        ),
        "taxes": list(taxes.values()),
        "payment_reference": fx.payment_reference(invoice),
        "payment_terms": fx.payment_terms_text(invoice),
        "title": "Credit note" if invoice.kind == Invoice.Kind.CREDIT_NOTE else "Invoice",
    }


def _logo_url(logo: str) -> str:
    if not logo:
        return ""
    if "://" in logo:
        return logo
    path = Path(logo)
    if not path.is_absolute():
        path = Path(settings.BASE_DIR) / path
    return path.resolve().as_uri() if path.exists() else ""


def render_invoice_html(*, invoice: Invoice, watermark: str = "") -> str:
    context = invoice_document_context(invoice)
    context["watermark"] = watermark
    return render_to_string("pdf/invoice.html", context)


def render_invoice_pdf(*, invoice: Invoice, watermark: str = "", with_facturx: bool = False) -> bytes:
    """Render the PDF (WeasyPrint). With `with_facturx`, embed the EN 16931 XML (numbered only)."""
    from weasyprint import HTML  # heavy import, only where a PDF is made

    html = render_invoice_html(invoice=invoice, watermark=watermark)
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/a-3b")
    if with_facturx and invoice.number:
        xml = fx.invoice_facturx_xml(invoice)
        title = f"{'Credit note' if invoice.kind == Invoice.Kind.CREDIT_NOTE else 'Invoice'} {invoice.number}"
        pdf = fx.embed_facturx(pdf, xml, title=title, author=settings.COMPANY.get("name", ""))
    return pdf
