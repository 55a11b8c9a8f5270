"""Celery tasks of contracts: thin interfaces over the services."""

import datetime

from celery import shared_task
from django.utils import timezone

from .services import contracts_renew


@shared_task(name="contracts.tasks.renew_contracts_task")
def renew_contracts_task(day: str | None = None) -> dict:
    """The beat job (CELERY_BEAT_SCHEDULE "renew-contracts"): today's period starts, in the
    portal's time zone. Idempotent, so it runs every hour."""
    run_day = datetime.date.fromisoformat(day) if day else timezone.localdate()
    result = contracts_renew(day=run_day)
    return {"day": run_day.isoformat(), "opened": result.opened, "closed": result.closed}
