"""Celery tasks of the helpdesk: thin wrappers around the conversation services."""

from celery import shared_task

from .conversation_services import message_notify


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def message_notify_task(self, message_id: int) -> str:
    """E-mail a public message to whom it concerns (the customer's portal users, or the agent)."""
    try:
        return message_notify(message_id=message_id)
    except OSError as exc:  # mail server down: try again later
        raise self.retry(exc=exc) from exc
