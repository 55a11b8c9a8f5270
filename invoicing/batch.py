"""Batch invoicing of done tasks (the "To invoice" list): a Celery job that makes one draft
invoice per order, each order in its own transaction, and the job's progress for its status page.

Exactly once, even when the worker is killed in the middle and the job is delivered again: each
order's invoice is written in the same transaction as the line of the job's record
(core.TaskRecord.progress) that says so, under that record's lock; a second run skips the orders
it lists. In-process (no broker) there is no record, and nothing to redeliver.
"""

from __future__ import annotations

from celery import shared_task
from celery.result import AsyncResult
from django.core.cache import cache
from django.db import transaction

from core.background import task_record_lock
from core.errors import DomainError
from core.faults import fault_pause
from core.models import TaskRecord, User
from sales.models import Order

from . import services as invoicing_services


# The registered name predates the move from projects: queued jobs keep working.
@shared_task(bind=True, name="projects.invoice_orders_task")
def invoice_orders_task(self, order_ids: list[int], user_id: int | None = None) -> dict:
    """One draft invoice per order, each once."""
    user = User.objects.filter(pk=user_id).first() if user_id else None
    worker_job = self.request.id if not self.request.is_eager else None
    summary = invoice_orders_batch(order_ids=order_ids, user=user, job_id=worker_job)
    if self.request.is_eager and self.request.id:
        # Eager (embedded) runs keep no job record, and the in-memory result backend is per
        # thread: keep the outcome where the status page finds it.
        cache.set(job_cache_key(self.request.id), summary, JOB_CACHE_SECONDS)
    return summary


JOB_CACHE_SECONDS = 24 * 3600


def job_cache_key(job_id: str) -> str:
    return f"projects:invoice-job:{job_id}"


def invoice_orders_batch(*, order_ids: list[int], user: User | None, job_id: str | None) -> dict:
    """Invoice each order once, noting the progress on the job's record. Returns the summary."""
    total = len(order_ids)
    made: dict[str, dict] = {}
    errors: list[dict] = []
    orders = Order.objects.in_bulk(order_ids)
    for done, order_id in enumerate(order_ids, start=1):
        order = orders.get(order_id)
        try:
            if order is None:
                raise DomainError("This order no longer exists.")
            made[str(order_id)] = _invoice_once(job_id=job_id, order=order, user=user)
        except DomainError as exc:
            errors.append({"order": order.name if order else f"#{order_id}", "message": exc.message})
        except Exception as exc:  # noqa: BLE001 - one failing order must not stop the batch
            name = order.name if order else f"#{order_id}"
            errors.append({"order": name, "message": f"Unexpected error: {exc}"})
        _note_progress(job_id, {"done": done, "total": total, "errors": errors})
        fault_pause("invoice_orders_after_one")  # tests only: core/faults.py
    return {"done": total, "total": total, "errors": errors, "invoices": list(made.values())}


def _invoice_once(*, job_id: str | None, order: Order, user: User | None) -> dict:
    with transaction.atomic():
        record = task_record_lock(job_id)
        invoices = dict(record.progress.get("invoices", {})) if record else {}
        if str(order.pk) in invoices:  # made by an earlier run of this job, killed before the end
            return invoices[str(order.pk)]
        invoice = invoicing_services.invoice_create_from_order(order=order, user=user)
        entry = {"id": invoice.pk, "order": order.name, "amount_total": str(invoice.amount_total)}
        if record is not None:
            record.progress = {**record.progress, "invoices": {**invoices, str(order.pk): entry}}
            record.save(update_fields=["progress"])
        return entry


def _note_progress(job_id: str | None, values: dict) -> None:
    with transaction.atomic():
        record = task_record_lock(job_id)
        if record is not None:
            record.progress = {**record.progress, **values}
            record.save(update_fields=["progress"])


def invoice_job_progress(job_id: str) -> dict:
    """What the status page shows: {state, done, total, errors, invoices}; state is PENDING
    (waiting for a worker, or for the task queue: `waiting_for_queue`), PROGRESS, SUCCESS or
    FAILURE. Read from the job's record with a broker, else from the in-process result."""
    record = TaskRecord.objects.filter(task_id=job_id).first()
    if record is not None:
        return _status_of_record(record)
    state, info = "PENDING", {}
    try:
        result = AsyncResult(job_id)
        state, info = result.state, result.info
    except Exception:  # noqa: BLE001 - result backend unreachable: show "waiting", never a 500
        pass
    info = info if isinstance(info, dict) else {"errors": [{"order": "—", "message": str(info)}]}
    if state != "SUCCESS":
        finished = cache.get(job_cache_key(job_id))
        if finished is not None:  # an eager run in another thread of this process
            state, info = "SUCCESS", finished
    return {"state": state, "waiting_for_queue": False, **_figures(info)}


def _status_of_record(record: TaskRecord) -> dict:
    State = TaskRecord.State
    progress = record.progress or {}
    figures = _figures({**progress, "invoices": list(progress.get("invoices", {}).values())})
    if record.state == State.FAILED:
        figures["errors"] = [*figures["errors"], {"order": "—", "message": record.last_error}]
    state = {
        State.PENDING: "PENDING",
        State.QUEUED: "PENDING",
        State.RUNNING: "PROGRESS",
        State.RETRYING: "PROGRESS",
        State.DONE: "SUCCESS",
        State.FAILED: "FAILURE",
    }[record.state]
    return {
        "state": state,
        "waiting_for_queue": record.state == State.PENDING,
        "runs": record.runs,
        **figures,
    }


def _figures(info: dict) -> dict:
    return {
        "done": info.get("done", 0),
        "total": info.get("total", 0),
        "errors": info.get("errors", []),
        "invoices": info.get("invoices", []),
    }
