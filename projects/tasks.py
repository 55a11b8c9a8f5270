"""Celery jobs of the projects app: worksheet e-mails. Thin: they load rows and call services."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from . import services
from .models import Task


@shared_task(name="projects.worksheet_send_task")
def worksheet_send_task(task_id: int) -> dict:
    """Render and store the signed worksheet PDF, then e-mail it to the task's customer."""
    task = Task.objects.select_related("customer", "project").filter(pk=task_id).first()
    if task is None or not task.signature:
        return {"sent": False, "reason": "not signed"}
    task = services.task_worksheet_store(task=task)
    email = task.customer.email if task.customer_id else ""
    if not email:
        return {"sent": False, "reason": "no customer e-mail"}
    message = EmailMessage(
        subject=f"Worksheet: {task.title}",
        body=(
            f"Hello,\n\nPlease find attached the worksheet of “{task.title}”, "
            f"signed by {task.signed_by} on {timezone.localtime(task.signed_at):%Y-%m-%d %H:%M}.\n\n"
            f"{settings.COMPANY['name']}"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email],
    )
    with task.worksheet_pdf.open("rb") as fh:
        message.attach(f"worksheet-{task.pk}.pdf", fh.read(), "application/pdf")
    message.send()
    Task.objects.filter(pk=task.pk).update(worksheet_sent_at=timezone.now())
    return {"sent": True, "to": email}
