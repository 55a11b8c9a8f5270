"""Celery tasks of the sales app: thin interfaces over the services."""

from celery import shared_task

from .upsell import upsell_sweep


@shared_task(name="sales.tasks.upsell_sweep_task")
def upsell_sweep_task() -> dict:
    """The beat job (CELERY_BEAT_SCHEDULE "flag-upsells"): flag upsell opportunities."""
    result = upsell_sweep()
    return {
        "flagged": result.flagged,
        "cleared": result.cleared,
        "total": result.total,
        "activities": result.activities,
    }
