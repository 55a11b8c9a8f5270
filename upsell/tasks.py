"""Celery tasks of the upsell room: thin interfaces over the services."""

from celery import shared_task

from .sweep import upsell_sweep


# The registered name predates the upsell room: beat schedules and queued jobs keep working.
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
