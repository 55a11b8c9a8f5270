"""The stored UBL document of a posted invoice: written once at posting, served from its bytes.

Posting runs `peppol_check_before_post` (a Peppol customer's invoice with missing data is
refused, nothing posted). After the posting commits, the documents task stores the PDF, then
`peppol_document_store` writes the UBL with that PDF inside and, for a Peppol customer, queues
it for sending. The UBL endpoint builds it on demand if the task has not run yet.
"""

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from sales.models import Customer

from ..documents import invoice_pdf_filename, invoice_pdf_store, lock_invoice_documents
from ..models import Invoice, PeppolDocument
from .checks import PeppolDataError, peppol_problems
from .ubl import invoice_ubl_xml


def ubl_filename(invoice: Invoice) -> str:
    return f"{invoice.number.replace('/', '-')}.xml"


def is_peppol_customer(customer) -> bool:
    return customer.delivery_channel == Customer.DeliveryChannel.PEPPOL


def peppol_check_before_post(*, invoice: Invoice) -> None:
    """Refuse (PeppolDataError, field by field) to post for a Peppol customer what the rules reject."""
    if is_peppol_customer(invoice.customer):
        problems = peppol_problems(invoice)
        if problems:
            raise PeppolDataError(problems)


def peppol_document_ensure(*, invoice: Invoice) -> PeppolDocument | None:
    """The UBL of a posted invoice, built once after its PDF (by the task queued after posting,
    or on demand): the invoice's document lock serialises concurrent builders."""
    if invoice.state != Invoice.State.POSTED:
        return None
    with transaction.atomic():
        lock_invoice_documents(invoice.pk)
        return peppol_document_store(invoice=invoice)


def peppol_document_store(*, invoice: Invoice) -> PeppolDocument:
    """Build and store the UBL of a posted invoice once (idempotent); queue it for a Peppol customer.

    Runs after the posting commits (see peppol_document_ensure), the PDF stored first (it is embedded).
    """
    existing = PeppolDocument.objects.filter(invoice=invoice).first()
    if existing is not None:
        return existing
    pdf = invoice_pdf_store(invoice=invoice)
    xml = invoice_ubl_xml(invoice, pdf=pdf, pdf_name=invoice_pdf_filename(invoice=invoice))
    year = invoice.invoice_date.year
    name = default_storage.save(f"einvoices/{year}/{ubl_filename(invoice)}", ContentFile(xml))
    document = PeppolDocument(invoice=invoice, xml=name, xml_sha256=hashlib.sha256(xml).hexdigest())
    if is_peppol_customer(invoice.customer):
        document.status = PeppolDocument.Status.QUEUED
        document.queued_at = timezone.now()
    else:
        problems = peppol_problems(invoice)
        document.status_message = "; ".join(problem.message for problem in problems)[:1000]
    document.save()
    if document.status == PeppolDocument.Status.QUEUED:
        from .delivery import enqueue_send

        transaction.on_commit(lambda: enqueue_send(document.pk))
    return document


def peppol_xml_bytes(document: PeppolDocument) -> bytes:
    """The stored XML, checked against its SHA-256 (a changed file is never served or sent)."""
    with default_storage.open(document.xml.name, "rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != document.xml_sha256:
        raise ValueError(f"Stored UBL of {document.invoice} does not match its SHA-256: refusing to use it.")
    return data
