"""The "To invoice" list chooses a task's order by THE rule `projects.services.task_order`: the
task's order line's order, else its project's order, else its project's default line's order;
a ticket's own order line never decides. The list's query and the rule agree on every case."""

import itertools
from decimal import Decimal

import pytest

from invoicing.batch_selectors import orders_of_tasks, tasks_to_invoice
from projects.models import Task
from projects.services import task_order
from sales.models import Order
from tests.factories import (
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    ProjectFactory,
    TaskFactory,
    TicketFactory,
)

pytestmark = pytest.mark.django_db


def _line(customer):
    return OrderLineFactory(
        order=OrderFactory(customer=customer, state=Order.State.SALE), quantity=Decimal("1")
    )


def test_the_list_and_task_order_agree_on_ticket_task_and_project_orders(seller):
    customer = CustomerFactory()
    task_line, ticket_line, project_line = _line(customer), _line(customer), _line(customer)
    project_order = OrderFactory(customer=customer, state=Order.State.SALE)
    project = ProjectFactory(customer=customer, sale_order=project_order, sale_line=project_line)
    task = TaskFactory(
        project=project, customer=customer, sale_line=task_line, is_done=True, stage=Task.Stage.DONE
    )
    TicketFactory(customer=customer, task=task, sale_line=ticket_line)
    orders = [task_line.order, ticket_line.order, project_order, project_line.order]

    expected_orders = []
    # The task's own line, then (line removed) the project's order, then its default line's order.
    for unset in ({}, {"sale_line": None}, {"sale_line": None, "project_order": None}):
        Task.objects.filter(pk=task.pk).update(**({"sale_line": None} if "sale_line" in unset else {}))
        if "project_order" in unset:
            type(project).objects.filter(pk=project.pk).update(sale_order=None)
        fresh = Task.objects.get(pk=task.pk)
        billed = task_order(fresh)
        expected_orders.append(billed)
        for statuses in itertools.product([Order.InvoiceStatus.TO_INVOICE, Order.InvoiceStatus.NO], repeat=4):
            for order, status in zip(orders, statuses, strict=True):
                Order.objects.filter(pk=order.pk).update(invoice_status=status)
            listed = list(tasks_to_invoice(user=seller).filter(pk=task.pk))
            billed_to_invoice = statuses[orders.index(billed)] == Order.InvoiceStatus.TO_INVOICE
            assert bool(listed) == billed_to_invoice, (unset, statuses)
            if listed:
                assert listed[0].billed_order_id == billed.pk
                assert orders_of_tasks(task_ids=[task.pk], user=seller) == [billed.pk]
    assert expected_orders == [task_line.order, project_order, project_line.order]
