"""The worksheet signature: the customer signs on the task; the signed PDF is rendered, stored and
e-mailed after commit."""

import base64
import binascii
import io

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from audit import services as audit
from core.background import enqueue_after_commit
from core.errors import DomainError
from core.models import User

from ..models import Task

SIGNATURE_MAX_BYTES = 1_500_000


def _decode_signature(data_url: str) -> bytes:
    prefix = "data:image/png;base64,"
    if not data_url or not data_url.startswith(prefix):
        raise DomainError("Please sign in the box before saving.", field="signature")
    try:
        raw = base64.b64decode(data_url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DomainError("The signature could not be read. Please sign again.", field="signature") from exc
    if len(raw) > SIGNATURE_MAX_BYTES:
        raise DomainError("The signature image is too large.", field="signature")
    if not raw.startswith(b"\x89PNG\r\n\x1a\n"):
        raise DomainError("The signature could not be read. Please sign again.", field="signature")
    try:
        from PIL import Image

        image = Image.open(io.BytesIO(raw))
        image.load()
        if image.width * image.height > 4_000_000:
            raise DomainError("The signature image is too large.", field="signature")
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        paper.alpha_composite(rgba)
        # Blank = no ink: nothing darker than light grey on a white sheet.
        blank = paper.convert("L").point(lambda v: 255 if v < 200 else 0).getbbox() is None
    except DomainError:
        raise
    except Exception as exc:  # noqa: BLE001 - any decoding failure is bad input
        raise DomainError("The signature could not be read. Please sign again.", field="signature") from exc
    if blank:
        raise DomainError("Please sign in the box before saving.", field="signature")
    return raw


@transaction.atomic
def task_sign(*, task: Task, signature: str, signed_by: str, user: User | None = None) -> Task:
    """Store the customer's signature (PNG data URL) and name; the signed worksheet PDF is then
    rendered, stored in `worksheet_pdf` and e-mailed to the customer (Celery, after commit)."""
    signed_by = (signed_by or "").strip()
    if not signed_by:
        raise DomainError("Enter the name of the person signing.", field="signed_by")
    raw = _decode_signature(signature)
    task = Task.objects.select_for_update().get(pk=task.pk)
    task.signature.save(f"task-{task.pk}.png", ContentFile(raw), save=False)
    task.signed_by = signed_by[:200]
    task.signed_at = timezone.now()
    task.worksheet_pdf = ""
    task.worksheet_sent_at = None
    task.save(
        update_fields=[
            "signature",
            "signed_by",
            "signed_at",
            "worksheet_pdf",
            "worksheet_sent_at",
            "updated_at",
        ]
    )
    audit.record(actor=user, action="task_sign", obj=task, signed_by=task.signed_by)
    worksheet_send_later(task=task)
    return task


def worksheet_send_later(*, task: Task) -> None:
    """Render + store + e-mail the signed worksheet after the transaction commits."""
    from .. import tasks as celery_tasks

    enqueue_after_commit(celery_tasks.worksheet_send_task, task.pk, subject=f"projects.task:{task.pk}")


@transaction.atomic
def task_worksheet_store(*, task: Task) -> Task:
    """Render the worksheet PDF of a signed task and store it (called from the Celery job)."""
    from ..worksheet import render_worksheet_pdf

    task = Task.objects.select_for_update().get(pk=task.pk)
    if not task.signature:
        raise DomainError("The worksheet is not signed yet.")
    pdf = render_worksheet_pdf(task)
    task.worksheet_pdf.save(f"worksheet-task-{task.pk}.pdf", ContentFile(pdf), save=False)
    task.save(update_fields=["worksheet_pdf", "updated_at"])
    return task
