"""Concurrent writers lose nothing: two technicians closing tasks at once cannot take the stock
below zero; two material additions on one task both count."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from core.errors import DomainError
from projects.models import StockMove, TaskMaterial
from projects.services import task_mark_done, task_material_add
from sales.models import Order, OrderLine
from tests.factories import (
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(*calls):
    """Run the calls in threads released at the same moment; return their results or errors."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - collected for the assertions
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def _task_of_new_order(product):
    order = OrderFactory(customer=CustomerFactory(), state=Order.State.SALE)
    line = OrderLineFactory(order=order, product=product, quantity=Decimal("1"))
    return TaskFactory(customer=order.customer, sale_line=line)


def test_two_tasks_closed_at_once_cannot_take_the_stock_below_zero(settings):
    settings.STOCK_ALLOW_NEGATIVE = False
    tech = UserFactory(username="tech-c", roles=["agent"])
    service = ProductFactory(timesheet=True)
    pump = ProductFactory(name="Pump", goods=True, qty_on_hand=Decimal("10"))
    tasks = [_task_of_new_order(service) for _ in range(2)]
    for task in tasks:
        task_material_add(task=task, product=pump, quantity=Decimal("6"), user=tech)

    results = run_together(*[lambda t=t: task_mark_done(task=t, user=tech) for t in tasks])

    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], DomainError), results
    pump.refresh_from_db()
    assert pump.qty_on_hand == Decimal("4.00")
    assert StockMove.objects.count() == 1
    assert TaskMaterial.objects.filter(delivered=True).count() == 1
    assert sorted(OrderLine.objects.filter(product=pump).values_list("qty_delivered", flat=True)) == [
        Decimal("0.00"),
        Decimal("6.00"),
    ]


def test_two_material_additions_at_once_both_count():
    tech = UserFactory(username="tech-d", roles=["agent"])
    task = _task_of_new_order(ProductFactory(timesheet=True))
    cable = ProductFactory(name="Cable", goods=True)

    results = run_together(
        *[
            lambda: task_material_add(task=task, product=cable, quantity=Decimal("1"), user=tech)
            for _ in range(2)
        ]
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    material = TaskMaterial.objects.get()
    assert material.quantity == Decimal("2.00")
    assert material.sale_line.quantity == Decimal("2.00")
    assert OrderLine.objects.filter(product=cable).count() == 1
