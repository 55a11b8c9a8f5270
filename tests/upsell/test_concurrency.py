import threading
from decimal import Decimal

import pytest
from django.db import connection

from sales.models import Order
from tests.factories import PrepaidLineFactory, SaleOrderFactory
from upsell.models import Activity
from upsell.sweep import upsell_sweep

pytestmark = [
    pytest.mark.django_db(transaction=True),
]


def test_two_concurrent_sweeps_create_one_activity_per_line():
    order = SaleOrderFactory()
    lines = [PrepaidLineFactory(order=order, qty_delivered=Decimal("50")) for _ in range(3)]
    other = PrepaidLineFactory(qty_delivered=Decimal("60"))
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            barrier.wait(timeout=10)
            results.append(upsell_sweep())
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert errors == []
    # PrepaidLineFactory gives each line its own product: four opportunities, four activities.
    assert sum(r.activities for r in results) == 4
    assert sorted(Activity.objects.values_list("order_line_id", flat=True)) == sorted(
        [ln.pk for ln in lines] + [other.pk]
    )
    assert Order.objects.filter(is_upsell=True).count() == 2
    assert sorted(r.flagged for r in results) == [0, 2]


def test_the_database_refuses_a_second_activity_for_the_same_opportunity():
    line = PrepaidLineFactory(qty_delivered=Decimal("50"))
    upsell_sweep()
    duplicate = Activity(
        kind="upsell",
        summary="dup",
        user=line.order.salesperson,
        order=line.order,
        order_line=line,
        due_date=line.order.order_date,
        dedupe_key=f"upsell:{line.pk}:50",
    )
    Activity.objects.bulk_create([duplicate], ignore_conflicts=True)
    assert Activity.objects.filter(order_line=line).count() == 1


def _blocked_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def test_an_order_locked_while_a_sweep_runs_is_not_flagged_again():
    """The sweep computes its opportunities first; an order locked (and committed) before the
    sweep writes it must stay off the list: the flag statement re-checks the state on the row."""
    import time

    from sales import services

    line = PrepaidLineFactory(qty_delivered=Decimal("50"))
    seller = line.order.salesperson
    locked, release = threading.Event(), threading.Event()
    errors = []

    def lock_and_hold():
        from django.db import transaction

        try:
            with transaction.atomic():
                services.order_lock(order=Order.objects.get(pk=line.order_id), user=seller)
                locked.set()
                release.wait(timeout=20)  # commit only once the sweep waits for the order row
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    def sweep():
        try:
            upsell_sweep()
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    holder = threading.Thread(target=lock_and_hold)
    holder.start()
    assert locked.wait(timeout=20)
    sweeper = threading.Thread(target=sweep)
    sweeper.start()
    deadline = time.monotonic() + 20
    while not _blocked_on_a_lock() and time.monotonic() < deadline:
        time.sleep(0.05)
    release.set()
    holder.join(timeout=30)
    sweeper.join(timeout=30)

    assert errors == []
    order = Order.objects.get(pk=line.order_id)
    assert (order.state, order.is_upsell, order.upsell_flagged_at) == ("done", False, None)
    assert not Activity.objects.filter(order=order, done=False).exists()
