"""Sending the stored UBL documents: one attempt at a time, retried with backoff by Celery.

States: queued → sent → delivered, or failed (with the reason). A failed (or any non-queued)
document can be queued again by `peppol_resend`.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit import services as audit
from core.background import enqueue_now
from core.errors import ConflictError
from core.models import User

from ..models import Invoice, PeppolDocument
from .documents import is_peppol_customer, peppol_xml_bytes, ubl_filename
from .senders import DELIVERED, FAILED, SendError, get_sender

Status = PeppolDocument.Status


@dataclass(frozen=True)
class Attempt:
    """What one sending attempt did; `retry_in` (seconds) when Celery should try again."""

    status: str
    retry_in: int | None = None


def enqueue_send(document_id: int) -> None:
    from ..tasks import peppol_send_task  # tasks import this module

    # Kept waiting if the task queue is down, sent by beat when it is back (core/background.py).
    enqueue_now(peppol_send_task, document_id, subject=f"invoicing.peppoldocument:{document_id}")


def retry_delay(attempts: int) -> int:
    """Exponential backoff: PEPPOL_RETRY_SECONDS, then twice that, four times... capped at 6 h."""
    return min(settings.PEPPOL_RETRY_SECONDS * 2 ** max(attempts - 1, 0), 6 * 3600)


def peppol_send_attempt(document_id: int) -> Attempt:
    """Hand one queued document to the sender. The row stays locked during the attempt, so two
    workers never send the same document twice."""
    with transaction.atomic():
        document = PeppolDocument.objects.select_for_update().select_related("invoice").get(pk=document_id)
        if document.status != Status.QUEUED:
            return Attempt(document.status)
        document.attempts += 1
        try:
            sender = get_sender()
            document.sender = sender.name
            result = sender.send(
                filename=ubl_filename(document.invoice),
                xml=peppol_xml_bytes(document),
                key=document.xml_sha256,
            )
        except SendError as error:
            return _failed_attempt(document, error)
        now = timezone.now()
        document.status = Status.DELIVERED if result.status == DELIVERED else Status.SENT
        document.provider_reference = result.reference[:200]
        document.status_message = ""
        document.sent_at = now
        document.delivered_at = now if document.status == Status.DELIVERED else None
        document.save()
        audit.record(
            actor=None,
            action="peppol.sent",
            obj=document.invoice,
            sender=sender.name,
            reference=result.reference,
        )
        return Attempt(document.status)


def _failed_attempt(document: PeppolDocument, error: SendError) -> Attempt:
    retry = error.retriable and document.attempts < settings.PEPPOL_MAX_ATTEMPTS
    if retry:
        delay = retry_delay(document.attempts)
        document.status_message = (
            f"Attempt {document.attempts} failed ({error.message}); trying again in {delay} s."
        )
    else:
        document.status = Status.FAILED
        document.status_message = error.message[:1000]
        audit.record(actor=None, action="peppol.failed", obj=document.invoice, reason=error.message[:200])
    document.status_message = document.status_message[:1000]
    document.save()
    return Attempt(document.status, retry_in=delay if retry else None)


def peppol_resend(*, invoice: Invoice, user: User) -> PeppolDocument:
    """Queue a posted invoice's UBL again (ConflictError while it is already queued)."""
    with transaction.atomic():
        document = PeppolDocument.objects.select_for_update().filter(invoice=invoice).first()
        if document is None:
            raise ConflictError(
                f"Invoice {invoice} has no e-invoice (only posted invoices have one).", code="no_ubl"
            )
        if document.status == Status.QUEUED:
            raise ConflictError(f"The e-invoice of {invoice} is already queued.", code="peppol_queued")
        if not is_peppol_customer(invoice.customer):
            raise ConflictError(
                f"{invoice.customer} receives invoices by e-mail: set its delivery channel to Peppol first.",
                code="not_peppol_customer",
            )
        document.status = Status.QUEUED
        document.status_message = ""
        document.attempts = 0
        document.queued_at = timezone.now()
        document.save()
        audit.record(actor=user, action="peppol.resend", obj=invoice)
        transaction.on_commit(lambda: enqueue_send(document.pk))
    return document


def peppol_refresh_statuses(limit: int = 200) -> int:
    """Ask the sender what became of documents sent but not yet delivered; how many changed."""
    changed = 0
    sender = get_sender()
    pending = PeppolDocument.objects.filter(status=Status.SENT, sender=sender.name).order_by("sent_at")[
        :limit
    ]
    for document_id, reference in pending.values_list("id", "provider_reference"):
        try:
            status, message = sender.status(reference)
        except SendError:
            continue  # asked again next round
        if status not in (DELIVERED, FAILED):
            continue
        with transaction.atomic():
            document = PeppolDocument.objects.select_for_update().get(pk=document_id)
            if document.status != Status.SENT:
                continue
            document.status = Status.DELIVERED if status == DELIVERED else Status.FAILED
            document.status_message = message
            document.delivered_at = timezone.now() if status == DELIVERED else None
            document.save()
            changed += 1
    return changed
