"""Celery tasks of the portal: thin wrappers around its services."""

from celery import shared_task

from core.models import User

from .services import portal_invitation_email


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def portal_invitation_task(self, user_id: int) -> str:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return "skipped"
    try:
        portal_invitation_email(user=user).send()
    except OSError as exc:  # mail server down: try again later
        raise self.retry(exc=exc) from exc
    return "sent"
