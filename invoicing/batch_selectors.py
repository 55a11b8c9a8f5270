"""Reads of batch invoicing: the done tasks whose order has something to invoice."""

from django.db.models import Exists, OuterRef, QuerySet

from core import policy
from core.models import User
from projects.models import Task
from projects.services import task_order, task_order_id_expression
from sales.models import Order
from sales.services import CONFIRMED_STATES
from timesheets.task_selectors import task_hours


def tasks_to_invoice(*, user: User) -> QuerySet[Task]:
    """Tasks marked done whose order (the one rule, `projects.services.task_order`) has
    something to invoice."""
    if not policy.may(user, "invoice.create"):
        return Task.objects.none()
    order_to_invoice = Order.objects.filter(
        pk=OuterRef("billed_order_id"),
        state__in=CONFIRMED_STATES,
        invoice_status=Order.InvoiceStatus.TO_INVOICE,
    )
    return (
        Task.objects.filter(is_done=True)
        .annotate(billed_order_id=task_order_id_expression())
        .filter(Exists(order_to_invoice))
        .select_related("project__sale_order", "customer", "assignee", "sale_line__order")
        .annotate(total_hours=task_hours())
        .order_by("-done_at", "-id")
    )


def task_order_id(task: Task) -> int | None:
    """The order the task bills (`projects.services.task_order`, the one rule)."""
    order = task_order(task)
    return None if order is None else order.pk


def orders_of_tasks(*, task_ids, user: User) -> list[int]:
    """Distinct ids of the orders to invoice for these selected tasks (ones the user may see)."""
    tasks = tasks_to_invoice(user=user).filter(pk__in=task_ids)
    ids = []
    for task in tasks:
        order_id = task_order_id(task)
        if order_id and order_id not in ids:
            ids.append(order_id)
    return ids
