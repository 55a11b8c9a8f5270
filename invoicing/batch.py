"""Batch invoicing of done tasks (the "To invoice" list): a Celery job that makes one draft
invoice per order, each order in its own transaction, and reports its progress in its state."""

from celery import shared_task
from django.core.cache import cache
from django.db import transaction

from core.errors import DomainError
from core.models import User
from sales.models import Order

from . import services as invoicing_services


# The registered name predates the move from projects: queued jobs keep working.
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
