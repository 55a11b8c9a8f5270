"""Celery jobs of the projects app: worksheet e-mails and batch invoicing of done tasks.

Thin: they load rows and call services; each order of the batch runs in its own transaction.
"""

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from core.errors import DomainError
from core.models import User
from invoicing import services as invoicing_services
from sales.models import Order

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


@shared_task(bind=True, name="projects.invoice_orders_task")
def invoice_orders_task(self, order_ids: list[int], user_id: int | None = None) -> dict:
    """One draft invoice per order, each order in its own transaction; progress in the job state."""
    user = User.objects.filter(pk=user_id).first() if user_id else None
    total = len(order_ids)
    done = 0
    errors: list[dict] = []
    invoices: list[dict] = []
    orders = Order.objects.in_bulk(order_ids)
    for order_id in order_ids:
        order = orders.get(order_id)
        try:
            if order is None:
                raise DomainError("This order no longer exists.")
            with transaction.atomic():
                invoice = invoicing_services.invoice_create_from_order(order=order, user=user)
            invoices.append(
                {"id": invoice.pk, "order": order.name, "amount_total": str(invoice.amount_total)}
            )
        except DomainError as exc:
            errors.append({"order": order.name if order else f"#{order_id}", "message": exc.message})
        except Exception as exc:  # noqa: BLE001 - one failing order must not stop the batch
            errors.append(
                {"order": order.name if order else f"#{order_id}", "message": f"Unexpected error: {exc}"}
            )
        done += 1
        if self.request.id:
            self.update_state(state="PROGRESS", meta={"done": done, "total": total, "errors": errors})
    summary = {"done": done, "total": total, "errors": errors, "invoices": invoices}
    if self.request.id:
        # Eager (embedded) runs do not store their return value in the result backend, whose
        # in-memory variant is per thread anyway: keep the outcome where the status page finds it.
        self.update_state(state="SUCCESS", meta=summary)
        cache.set(job_cache_key(self.request.id), summary, JOB_CACHE_SECONDS)
    return summary


JOB_CACHE_SECONDS = 24 * 3600


def job_cache_key(job_id: str) -> str:
    return f"projects:invoice-job:{job_id}"
