import threading
from decimal import Decimal

import pytest
from django.db import connection

from sales.models import Activity, Order
from sales.upsell import upsell_sweep
from tests.factories import PrepaidLineFactory, SaleOrderFactory

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
