"""What projects adds to other apps' pages (registered in ProjectsConfig.ready)."""

from django.urls import reverse

from .models import Task


def order_tasks(*, order, **_context) -> dict:
    """The order page (sales): the tasks billed on the order, newest first."""
    tasks = list(Task.objects.filter(sale_line__order=order).select_related("project").order_by("-id")[:50])
    for task in tasks:
        task.url = reverse("projects:task_detail", args=[task.pk])
    return {"tasks": tasks}
