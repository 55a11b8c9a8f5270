"""Celery tasks of the reports: thin interfaces over reports.summaries."""

from celery import shared_task

from .summaries import compact


@shared_task(name="reports.tasks.compact_summaries_task")
def compact_summaries_task() -> dict:
    """The beat job (CELERY_BEAT_SCHEDULE "compact-report-summaries")."""
    return {"removed": compact()}
