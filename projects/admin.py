"""Django admin for projects and tasks (materials inline); stock moves are read-only."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import EmployeeRate, Project, StockMove, Task, TaskMaterial


class EmployeeRateInline(admin.TabularInline):
    """Hourly rates of employees on this project's post-paid time (an order line's own rate wins)."""

    model = EmployeeRate
    fk_name = "project"
    fields = ("employee", "hourly_rate")
    extra = 0


@admin.register(EmployeeRate)
class EmployeeRateAdmin(admin.ModelAdmin):
    list_display = ("employee", "sale_line", "project", "hourly_rate")
    search_fields = ("employee__username", "employee__last_name", "project__name", "sale_line__order__name")
    list_select_related = ("employee", "project", "sale_line__order")
    raw_id_fields = ("sale_line", "project")


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "customer", "billable", "requires_approval", "sale_line", "sale_order", "active")
    list_filter = ("billable", "requires_approval", "active")
    search_fields = ("name", "customer__name", "sale_order__name")
    list_select_related = ("customer", "sale_line__order", "sale_line__product", "sale_order")
    autocomplete_fields = ("customer",)
    raw_id_fields = ("sale_line", "sale_order")
    inlines = [EmployeeRateInline]


class TaskMaterialInline(ReadOnlyInline):
    """Shown only: adding materials goes through the projects service, which also adds the
    goods line on the task's order."""

    model = TaskMaterial
    parent_view_permission = "projects.view_task"
    fields = ("product", "quantity", "sale_line", "delivered")

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("product", "sale_line__order", "sale_line__product")
        )


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "project",
        "customer",
        "sale_line",
        "assignee",
        "stage",
        "is_done",
        "planned_date",
    )
    list_filter = ("stage", "is_done", "project")
    search_fields = ("title", "description", "project__name", "customer__name")
    list_select_related = ("project", "customer", "sale_line__order", "sale_line__product", "assignee")
    autocomplete_fields = ("project", "customer")
    raw_id_fields = ("sale_line", "assignee")
    readonly_fields = ("done_at", "signed_at", "worksheet_sent_at")
    inlines = [TaskMaterialInline]


@admin.register(StockMove)
class StockMoveAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "product", "quantity", "task", "note")
    list_filter = ("product",)
    search_fields = ("product__name", "task__title", "note")
    list_select_related = ("product", "task")
