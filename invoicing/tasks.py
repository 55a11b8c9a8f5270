"""Celery tasks of the invoicing app: thin wrappers, the work is in documents / e-mail."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from core.background import task_record_lock

# Batch invoicing's job: imported here so that the worker, which autodiscovers <app>.tasks,
# registers it.
from .batch import invoice_orders_task  # noqa: F401
from .documents import invoice_pdf_bytes, invoice_pdf_filename, invoice_pdf_store
from .models import Invoice
from .peppol.delivery import peppol_refresh_statuses, peppol_send_attempt
from .peppol.documents import peppol_document_ensure


@shared_task(bind=True, max_retries=3, default_retry_delay=30)
def invoice_pdf_render_task(self, invoice_id: int) -> str:
    """Render and store a posted invoice's PDF once, then its Peppol UBL (which embeds the PDF);
    queued after the posting commits."""
    invoice = Invoice.objects.filter(pk=invoice_id, state=Invoice.State.POSTED).first()
    if invoice is None:
        return "skipped"
    rendered = not invoice.pdf_sha256
    try:
        if rendered:
            invoice_pdf_store(invoice=invoice)
        peppol_document_ensure(invoice=invoice)
    except OSError as exc:  # storage (disk, S3) unavailable: try again later
        raise self.retry(exc=exc) from exc
    return "stored" if rendered else "already stored"


@shared_task(bind=True, max_retries=3, default_retry_delay=60)
def invoice_send_email_task(self, invoice_id: int) -> str:
    """Mail a posted invoice with its stored PDF to the customer; record Invoice.sent_at.

    Waits for the stored PDF: if the rendering task is running, `invoice_pdf_bytes` blocks on its
    lock and then reads the stored file; if it has not run yet, this renders and stores it once.
    Once per request to send, even if the worker dies and the job is delivered again: the job's
    record is locked while the mail server is talked to and says "sent" in the same transaction,
    so a worker killed before that commit sent nothing that is recorded (only a death in the
    instant between the server's acceptance and the commit could send it twice)."""
    invoice = Invoice.objects.select_related("customer").get(pk=invoice_id)
    if invoice.state != Invoice.State.POSTED or not invoice.customer.email:
        return "skipped"
    message = invoice_email(invoice=invoice)
    message.attach(
        invoice_pdf_filename(invoice=invoice), invoice_pdf_bytes(invoice=invoice), "application/pdf"
    )
    with transaction.atomic():
        record = task_record_lock(None if self.request.is_eager else self.request.id)
        if record is not None and record.progress.get("sent_at"):
            return "already sent"
        try:
            message.send()
        except OSError as exc:  # SMTP down: try again later
            raise self.retry(exc=exc) from exc
        sent_at = timezone.now()
        if record is not None:
            record.progress = {**record.progress, "sent_at": sent_at.isoformat()}
            record.save(update_fields=["progress"])
        Invoice.objects.filter(pk=invoice.pk).update(sent_at=sent_at)
    return "sent"


def invoice_email(*, invoice: Invoice) -> EmailMessage:
    company = settings.COMPANY
    title = "Credit note" if invoice.kind == Invoice.Kind.CREDIT_NOTE else "Invoice"
    return EmailMessage(
        subject=f"{title} {invoice.number} from {company.get('name', '')}",
        body=(
            f"Dear {invoice.customer.name},\n\n"
            f"Please find attached {title.lower()} {invoice.number} "
            f"of {invoice.amount_total} {settings.CURRENCY}"
            + (f", due on {invoice.due_date:%Y-%m-%d}" if invoice.due_date else "")
            + ".\n\nKind regards,\n"
            + company.get("name", "")
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invoice.customer.email],
    )


@shared_task(bind=True, max_retries=None, acks_late=True)
def peppol_send_task(self, document_id: int) -> str:
    """One attempt at handing a queued UBL document to the Peppol sender; retried with backoff
    (the attempt count and the cap live on the document, see peppol.delivery)."""
    attempt = peppol_send_attempt(document_id)
    if attempt.retry_in is not None:
        raise self.retry(countdown=attempt.retry_in)
    return attempt.status


@shared_task
def peppol_status_task() -> int:
    """Beat: ask the sender what became of the documents sent but not yet delivered."""
    return peppol_refresh_statuses()
