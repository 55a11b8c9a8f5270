"""Projects reads: what each user may see, the task page's data, the "To invoice" list."""

from django.db.models import (
    Count,
    Prefetch,
    Q,
    QuerySet,
)

from core import policy
from core.models import User
from sales.models import Product

from .models import Project, StockMove, Task, TaskMaterial


def user_can_work_tasks(user: User) -> bool:
    return policy.may(user, "task.work")


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
    """What a task list row shows, in one query (the hours column comes from timesheets:
    "projects:task_list" in core.panels)."""
    return tasks.select_related("project", "customer", "assignee", "sale_line__order")


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


def goods_in_stock() -> QuerySet:
    """Goods products with their quantity on hand, by name (the stock list)."""
    return Product.objects.filter(type=Product.Type.GOODS).select_related("uom").order_by("name", "id")


def product_stock_moves(*, product, limit: int = 50) -> list[StockMove]:
    """The product's latest stock moves (receipts and consumptions), newest first, one query."""
    moves = product.stock_moves.select_related("task", "user").order_by("-date", "-created_at", "-id")
    return list(moves[:limit])
