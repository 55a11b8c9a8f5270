"""A reply's e-mail goes through a REAL Celery worker on a REAL Redis broker, after commit."""

import time

import pytest

from helpdesk import conversation_services
from helpdesk.models import Message
from tests.conversation_data import conversation_world

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def _wait(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_reply_is_mailed_by_the_worker_and_a_note_never_is(celery_broker, celery_worker):
    world = conversation_world()  # its messages were sent eagerly, before the broker
    reply = conversation_services.message_post(
        ticket=world.a.ticket, author=world.agent, body="Via the worker"
    )
    note = conversation_services.message_post(
        ticket=world.a.ticket, author=world.agent, body="Never mailed", internal=True
    )
    assert _wait(lambda: Message.objects.get(pk=reply.pk).notified_at is not None)
    assert _wait(lambda: "helpdesk.tasks.message_notify_task" in celery_worker.log())
    assert "sent 1" in celery_worker.log()
    assert Message.objects.get(pk=note.pk).notified_at is None
