"""Celery tasks of the core app: thin interfaces over core.background."""

from celery import shared_task

from .background import task_records_flush


@shared_task(name="core.tasks.task_records_flush_task", record_runs=False)
def task_records_flush_task() -> int:
    """The beat job (CELERY_BEAT_SCHEDULE "send-waiting-jobs"): jobs asked for while the broker
    was down are sent now."""
    return task_records_flush()
