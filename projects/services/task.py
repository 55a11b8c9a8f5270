"""Tasks: create and change them (a task bills one order line of its customer, one task per
line and project); the order a task's materials are sold on."""

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce

from audit import services as audit
from core.errors import ConflictError, DomainError
from core.models import User
from sales.models import Order

from ..models import Project, Task

TASK_FIELDS = {"title", "description", "assignee", "stage", "planned_date", "worksheet_notes", "customer"}


def _check_sale_line(*, sale_line, customer):
    if sale_line is None:
        return
    if customer is not None and sale_line.order.customer_id != customer.pk:
        raise DomainError("This order line belongs to another customer.", field="sale_line")
    if sale_line.order.state not in (Order.State.SALE, Order.State.DONE):
        raise DomainError("Pick a line of a confirmed order.", field="sale_line")


def _check_one_task_per_line(*, sale_line, project, exclude_pk=None):
    if sale_line is None:
        return
    clash = Task.objects.filter(sale_line=sale_line, project=project)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise DomainError("This order line already has a task in this project.", field="sale_line")


@transaction.atomic
def task_create(
    *,
    title: str,
    project: Project,
    user: User | None = None,
    customer=None,
    sale_line=None,
    assignee=None,
    description: str = "",
    planned_date=None,
) -> Task:
    title = (title or "").strip()
    if not title:
        raise DomainError("A task needs a title.", field="title")
    if customer is None:
        customer = sale_line.order.customer if sale_line is not None else project.customer
    if sale_line is None and project.sale_line_id:
        sale_line = project.sale_line
        if customer is not None and sale_line.order.customer_id != customer.pk:
            sale_line = None
    _check_sale_line(sale_line=sale_line, customer=customer)
    _check_one_task_per_line(sale_line=sale_line, project=project)
    task = Task(
        title=title[:200],
        project=project,
        customer=customer,
        sale_line=sale_line,
        assignee=assignee,
        description=description,
        planned_date=planned_date,
    )
    task.full_clean()
    task.save()
    audit.record(actor=user, action="task_create", obj=task)
    return task


@transaction.atomic
def task_update(*, task: Task, user: User | None = None, **fields) -> Task:
    """Change title/description/assignee/stage/planned date/notes/customer/order line/project."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    allowed = TASK_FIELDS | {"sale_line", "project"}
    unknown = set(fields) - allowed
    if unknown:
        raise DomainError(f"Cannot change {', '.join(sorted(unknown))}.")
    if "title" in fields:
        fields["title"] = (fields["title"] or "").strip()
        if not fields["title"]:
            raise DomainError("A task needs a title.", field="title")
    if "stage" in fields:
        stage = fields["stage"]
        if stage not in Task.Stage.values:
            raise DomainError("Unknown stage.", field="stage")
        if stage == Task.Stage.DONE and not task.is_done:
            raise DomainError(
                "Use “Mark as done” to close the task (it delivers the materials).", field="stage"
            )
        if task.is_done and stage != Task.Stage.DONE:
            raise ConflictError("This task is done; it cannot go back to another stage.", field="stage")
    if (
        "sale_line" in fields
        and fields["sale_line"] != task.sale_line
        and task.materials.filter(delivered=True).exists()
    ):
        raise ConflictError(
            "Materials were delivered on this task's order: its order line stays.", field="sale_line"
        )
    for key, value in fields.items():
        setattr(task, key, value)
    _check_sale_line(sale_line=task.sale_line, customer=task.customer)
    _check_one_task_per_line(sale_line=task.sale_line, project=task.project, exclude_pk=task.pk)
    task.full_clean()
    task.save()
    return task


# THE order a task bills (its materials, the worksheet, batch invoicing), first one set: its
# order line's order; else the order its project was made for; else its project's default line's
# order. A ticket's own order line does not choose the task's order. `task_order` reads it off a
# task, `task_order_id_expression` in a query (the "To invoice" list): one rule, two readers.
TASK_ORDER_PATHS = ("sale_line__order", "project__sale_order", "project__sale_line__order")


def task_order(task: Task) -> Order | None:
    """The order `task` bills (TASK_ORDER_PATHS); None when none is set."""
    for path in TASK_ORDER_PATHS:
        related = task
        for name in path.split("__"):
            related = getattr(related, name)  # an empty foreign key answers None, no query
            if related is None:
                break
        if related is not None:
            return related
    return None


def task_order_id_expression() -> Coalesce:
    """The id of the order each task bills (TASK_ORDER_PATHS), for annotating a task query."""
    return Coalesce(*(F(f"{path}_id") for path in TASK_ORDER_PATHS))
