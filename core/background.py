"""Background jobs that survive a broker outage and a killed worker (docs/reliability.md "Faults").

With a broker (worker mode), asking for a job writes a `TaskRecord` in the caller's transaction
and sends the message after commit. If the broker (Redis) is down the page still answers: the
record stays PENDING ("Waiting for the task queue") and beat's `task_records_flush` sends it again
once the broker is back. A message the broker accepted but lost (Redis restarted without its data)
is sent again when it has not started long after. Tasks are idempotent, so a second message for one
job is harmless.

Every run in a worker is counted on its record (signals below): a job redelivered because its
worker was killed (acks late + reject on worker lost), or retried, shows `runs` > 1 and its last
error. Without a broker (`make run`, most tests) tasks run in-process at once, as before: there is
no queue to lose them, and no record is written.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from functools import partial

from celery import current_app
from celery.signals import task_failure, task_prerun, task_retry, task_success
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import TaskRecord

logger = logging.getLogger(__name__)
State = TaskRecord.State


def enqueue_after_commit(
    task, *args, subject: str = "", task_id: str | None = None, robust=False, **kwargs
) -> str:
    """Run `task(*args, **kwargs)` in the background once the current transaction commits; returns
    the job's id. `robust` (in-process mode only): an error of the task does not reach the caller."""
    task_id = task_id or str(uuid.uuid4())
    if task.app.conf.task_always_eager:
        transaction.on_commit(partial(task.apply_async, args, kwargs, task_id=task_id), robust=robust)
        return task_id
    record = TaskRecord.objects.create(
        task_id=task_id, name=task.name, args=list(args), kwargs=kwargs, subject=subject[:100]
    )
    transaction.on_commit(partial(task_record_publish, record.pk))
    return task_id


def enqueue_now(task, *args, subject: str = "", **kwargs) -> str:
    """The same, for a caller already past its commit (an on_commit callback): sent at once."""
    task_id = str(uuid.uuid4())
    if task.app.conf.task_always_eager:
        task.apply_async(args, kwargs, task_id=task_id)
        return task_id
    record = TaskRecord.objects.create(
        task_id=task_id, name=task.name, args=list(args), kwargs=kwargs, subject=subject[:100]
    )
    task_record_publish(record.pk)
    return task_id


def task_record_publish(record_id: int) -> bool:
    """Hand a recorded job to the broker; never raises (the record keeps the error)."""
    record = TaskRecord.objects.filter(pk=record_id).first()
    if record is None or record.state not in (State.PENDING, State.QUEUED):
        return False
    attempts = F("publish_attempts") + 1
    try:
        # ignore_result: the record is the job's state; the web process never waits on a result, and
        # Celery's Redis result backend would retry its subscription for ~20 s with Redis down.
        current_app.send_task(
            record.name, args=record.args, kwargs=record.kwargs, task_id=record.task_id, ignore_result=True
        )
    except Exception as exc:  # noqa: BLE001 - broker down: whatever kombu raises, the job waits
        logger.warning("Task queue unavailable, %s[%s] waits: %s", record.name, record.task_id, exc)
        TaskRecord.objects.filter(pk=record_id).update(
            publish_attempts=attempts, last_error=f"Task queue unavailable: {exc}"[:2000]
        )
        return False
    TaskRecord.objects.filter(pk=record_id, state__in=(State.PENDING, State.QUEUED)).update(
        state=State.QUEUED, queued_at=timezone.now(), publish_attempts=attempts, last_error=""
    )
    return True


def task_records_flush(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Beat: send again the jobs the broker refused (PENDING), and those it accepted but that never
    started within twice the visibility timeout (lost by the broker). Returns how many were sent."""
    now = now or timezone.now()
    lost_after = 2 * settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    due = TaskRecord.objects.filter(
        Q(
            state=State.PENDING,
            created_at__lt=now - datetime.timedelta(seconds=settings.TASK_PENDING_GRACE_SECONDS),
        )
        | Q(state=State.QUEUED, queued_at__lt=now - datetime.timedelta(seconds=lost_after))
    ).order_by("created_at")
    sent = sum(task_record_publish(pk) for pk in due.values_list("pk", flat=True)[:limit])
    # Finished jobs are kept a while for the admin, then dropped.
    TaskRecord.objects.filter(
        state=State.DONE, finished_at__lt=now - datetime.timedelta(days=settings.TASK_RECORD_KEEP_DAYS)
    ).delete()
    return sent


def task_record_lock(task_id: str | None) -> TaskRecord | None:
    """The running job's record, locked until the caller's transaction ends (None in-process).
    A task writes what it has done into `progress` in the same transaction as the work itself, so
    a redelivery after a crash knows exactly what is left."""
    if not task_id:
        return None
    return TaskRecord.objects.select_for_update().filter(task_id=task_id).first()


def task_state_of(subject: str, name: str) -> TaskRecord | None:
    """The latest unfinished job about `subject` (for "waiting for the queue" on its page)."""
    return (
        TaskRecord.objects.filter(subject=subject, name=name)
        .exclude(state__in=(State.DONE, State.FAILED))
        .order_by("-created_at")
        .first()
    )


# --- Runs, counted by the worker -----------------------------------------------------------------
def _in_worker(task) -> bool:
    # `record_runs=False` on a task: not worth a row per run (the minutely flush below).
    return (
        task is not None
        and not getattr(task.request, "is_eager", False)
        and getattr(task, "record_runs", True)
    )


@task_prerun.connect
def _job_started(sender=None, task_id=None, task=None, args=None, kwargs=None, **_):
    if not _in_worker(task):
        return
    now = timezone.now()
    started = TaskRecord.objects.filter(task_id=task_id).update(
        state=State.RUNNING, runs=F("runs") + 1, started_at=now
    )
    if not started:  # sent by beat or by hand: recorded from its first run
        try:
            TaskRecord.objects.create(
                task_id=task_id,
                name=task.name,
                args=list(args or ()),
                kwargs=dict(kwargs or {}),
                state=State.RUNNING,
                runs=1,
                started_at=now,
            )
        except IntegrityError:  # created meanwhile by a concurrent delivery
            TaskRecord.objects.filter(task_id=task_id).update(state=State.RUNNING, runs=F("runs") + 1)


@task_retry.connect
def _job_retried(sender=None, request=None, reason=None, **_):
    if request is not None and not getattr(request, "is_eager", False):
        TaskRecord.objects.filter(task_id=request.id).update(
            state=State.RETRYING, last_error=str(reason)[:2000]
        )


@task_success.connect
def _job_done(sender=None, **_):
    if _in_worker(sender):
        TaskRecord.objects.filter(task_id=sender.request.id).update(
            state=State.DONE, finished_at=timezone.now()
        )


@task_failure.connect
def _job_failed(sender=None, task_id=None, exception=None, **_):
    if _in_worker(sender):
        TaskRecord.objects.filter(task_id=task_id).update(
            state=State.FAILED, finished_at=timezone.now(), last_error=repr(exception)[:2000]
        )
