"""Projects reads: what each user may see, the task page's data, the "To invoice" list."""

from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from core.models import User
from sales.models import Order, Product
from timesheets.models import TimesheetLine

from .models import Project, StockMove, Task, TaskMaterial

STAFF_ROLES = ("agent", "sales")


def user_can_work_tasks(user: User) -> bool:
    return bool(user and user.is_authenticated and user.has_role(*STAFF_ROLES, "admin"))


def projects_visible_to(*, user: User) -> QuerySet[Project]:
    if not user_can_work_tasks(user):
        return Project.objects.none()
    return Project.objects.all()


def project_list(*, user: User) -> QuerySet[Project]:
    return (
        projects_visible_to(user=user)
        .filter(active=True)
        .select_related("customer", "sale_line__order", "sale_order")
        .annotate(
            task_count=Count("tasks", distinct=True),
            open_count=Count("tasks", filter=Q(tasks__is_done=False), distinct=True),
        )
        .order_by("name", "id")
    )


def tasks_visible_to(*, user: User) -> QuerySet[Task]:
    if not user_can_work_tasks(user):
        return Task.objects.none()
    return Task.objects.all()


def task_list_rows(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """What a task list row shows, in one query (hours of the task and its tickets)."""
    return tasks.select_related("project", "customer", "assignee", "sale_line__order").annotate(
        total_hours=_task_hours()
    )


def _task_hours():
    """Hours of a task, its linked tickets' lines included (one subquery)."""
    lines = (
        TimesheetLine.objects.filter(Q(task=OuterRef("pk")) | Q(ticket__task=OuterRef("pk")))
        .order_by()
        .annotate(total=Func(F("hours"), function="SUM"))
        .values("total")
    )
    return Coalesce(Subquery(lines[:1]), Value(Decimal("0.00")), output_field=DecimalField())


def project_board(*, project: Project) -> list[dict]:
    """Kanban columns of a project: one per stage, with its tasks."""
    tasks = list(
        project.tasks.select_related("customer", "assignee", "sale_line__order").order_by(
            "planned_date", "-id"
        )
    )
    return [
        {"stage": value, "label": label, "tasks": [t for t in tasks if t.stage == value]}
        for value, label in Task.Stage.choices
    ]


def task_for_page(*, user: User, pk: int) -> Task:
    """The task with what its page shows; DoesNotExist when the user may not see it."""
    return (
        tasks_visible_to(user=user)
        .select_related(
            "project__customer",
            "project__sale_line__order",
            "project__sale_order",
            "customer",
            "assignee",
            "sale_line__order",
            "sale_line__uom",
        )
        .prefetch_related(
            Prefetch("materials", queryset=TaskMaterial.objects.select_related("product__uom", "sale_line")),
            "tickets",
        )
        .get(pk=pk)
    )


def task_timesheets(*, task: Task) -> QuerySet[TimesheetLine]:
    """Time on the task: its own lines and those of the tickets linked to it."""
    return (
        TimesheetLine.objects.filter(Q(task=task) | Q(ticket__task=task))
        .select_related("employee", "ticket", "invoice", "sale_line__order")
        .order_by("-date", "-id")
    )


def timesheets_total(lines) -> Decimal:
    return sum((line.hours for line in lines), Decimal("0.00"))


def tasks_to_invoice(*, user: User) -> QuerySet[Task]:
    """Tasks marked done whose order has something to invoice."""
    if not user.has_role("sales", "accountant", "admin"):
        return Task.objects.none()
    order_of_line = Order.objects.filter(
        Q(lines__tasks=OuterRef("pk")) | Q(projects__tasks=OuterRef("pk")),
        state__in=[Order.State.SALE, Order.State.DONE],
        invoice_status=Order.InvoiceStatus.TO_INVOICE,
    )
    return (
        Task.objects.filter(is_done=True)
        .filter(Exists(order_of_line))
        .select_related("project__sale_order", "customer", "assignee", "sale_line__order")
        .annotate(total_hours=_task_hours())
        .order_by("-done_at", "-id")
    )


def task_order_id(task: Task) -> int | None:
    if task.sale_line_id:
        return task.sale_line.order_id
    return task.project.sale_order_id


def orders_of_tasks(*, task_ids, user: User) -> list[int]:
    """Distinct ids of the orders to invoice for these selected tasks (ones the user may see)."""
    tasks = tasks_to_invoice(user=user).filter(pk__in=task_ids)
    ids = []
    for task in tasks:
        order_id = task_order_id(task)
        if order_id and order_id not in ids:
            ids.append(order_id)
    return ids


def goods_in_stock() -> QuerySet:
    """Goods products with their quantity on hand, by name (the stock list)."""
    return Product.objects.filter(type=Product.Type.GOODS).select_related("uom").order_by("name", "id")


def product_stock_moves(*, product, limit: int = 50) -> list[StockMove]:
    """The product's latest stock moves (receipts and consumptions), newest first, one query."""
    moves = product.stock_moves.select_related("task", "user").order_by("-date", "-created_at", "-id")
    return list(moves[:limit])
