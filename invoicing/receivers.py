"""Receivers of the invoicing app, connected in InvoicingConfig.ready()."""

from core.background import enqueue_after_commit

from .peppol.documents import peppol_check_before_post


def check_peppol_on_post(sender, *, invoice, **kwargs):
    """First: a Peppol customer's invoice that the rules would reject is not posted at all."""
    peppol_check_before_post(invoice=invoice)


def render_documents_after_post(sender, *, invoice, **kwargs):
    """A posted invoice's PDF (then its Peppol UBL, which embeds the PDF) is rendered and stored
    once by a Celery task queued AFTER the posting transaction commits: posting stays quick and
    never holds the year's number row during a long rendering. If the task fails or is late, the
    PDF and UBL endpoints make them on demand (documents.py, peppol/documents.py)."""
    from .tasks import invoice_pdf_render_task

    # A broker that is down leaves the job waiting (core/background.py); in-process, `robust`: a
    # rendering error must not turn the committed posting into an error page. Either way the
    # documents are made on first download if they are not there yet.
    enqueue_after_commit(
        invoice_pdf_render_task, invoice.pk, subject=f"invoicing.invoice:{invoice.pk}", robust=True
    )
