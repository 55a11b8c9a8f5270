"""Receivers of the invoicing app, connected in InvoicingConfig.ready()."""

from .documents import invoice_pdf_store
from .peppol.documents import peppol_check_before_post, peppol_document_store


def check_peppol_on_post(sender, *, invoice, **kwargs):
    """First: a Peppol customer's invoice that the rules would reject is not posted at all."""
    peppol_check_before_post(invoice=invoice)


def store_pdf_on_post(sender, *, invoice, **kwargs):
    """A posted invoice's PDF is part of the document: render and store it once, in the posting
    transaction (a failed rendering rolls the posting back; nothing half-posted)."""
    invoice_pdf_store(invoice=invoice)


def store_ubl_on_post(sender, *, invoice, **kwargs):
    """After the PDF: the Peppol UBL (with the PDF inside), stored once; queued for Peppol customers."""
    peppol_document_store(invoice=invoice)
