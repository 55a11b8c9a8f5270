"""The beat job on a REAL Celery worker (subprocess) through a REAL Redis broker."""

import datetime
import time
from decimal import Decimal

import pytest
from django.utils import timezone

from sales.models import Order
from tests.factories import PrepaidLineFactory, ProductFactory
from upsell.models import Activity
from upsell.tasks import upsell_sweep_task

# transaction=True: the worker only sees committed rows.
pytestmark = [
    pytest.mark.celery,
    pytest.mark.django_db(transaction=True),
]


def _wait_for_log(worker, text, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in worker.log():
            return True
        time.sleep(0.1)
    return False


def test_sweep_task_flags_orders_through_the_broker_and_a_real_worker(celery_broker, celery_worker):
    line = PrepaidLineFactory(
        product=ProductFactory(upsell_threshold=Decimal("80")), qty_delivered=Decimal("40")
    )
    below = PrepaidLineFactory(qty_delivered=Decimal("10"))

    async_result = upsell_sweep_task.delay()
    outcome = async_result.get(timeout=30)

    assert outcome == {"flagged": 1, "cleared": 0, "total": 1, "activities": 1}
    # It ran in the worker process, not eagerly here.
    assert _wait_for_log(celery_worker, f"Task sales.tasks.upsell_sweep_task[{async_result.id}] succeeded")
    order = Order.objects.get(pk=line.order_id)
    assert (order.is_upsell, order.upsell_reason) == (True, "consumed")
    assert Order.objects.get(pk=below.order_id).is_upsell is False
    assert Activity.objects.filter(order=order, kind="upsell").count() == 1
    # The worker reads the tests' clock (TEST_CLOCK moves both processes): due in two days.
    activity = Activity.objects.get(order=order, kind="upsell")
    assert activity.due_date == timezone.localdate() + datetime.timedelta(days=2)


def test_sweep_task_enqueued_twice_creates_one_activity(celery_broker):
    line = PrepaidLineFactory(qty_delivered=Decimal("50"))

    first = upsell_sweep_task.delay()
    second = upsell_sweep_task.delay()

    assert first.get(timeout=30)["activities"] + second.get(timeout=30)["activities"] == 1
    assert Activity.objects.filter(order_line=line).count() == 1
    assert Order.objects.get(pk=line.order_id).is_upsell is True
