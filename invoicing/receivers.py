"""Receivers of the invoicing app, connected in InvoicingConfig.ready()."""

from .documents import invoice_pdf_store


def store_pdf_on_post(sender, *, invoice, **kwargs):
    """A posted invoice's PDF is part of the document: render and store it once, in the posting
    transaction (a failed rendering rolls the posting back; nothing half-posted)."""
    invoice_pdf_store(invoice=invoice)
