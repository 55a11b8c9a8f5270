from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import TimeStampedModel
from core.money import QTY_DIGITS, QTY_PLACES


class Project(TimeStampedModel):
    name = models.CharField(max_length=200)
    customer = models.ForeignKey(
        "sales.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    billable = models.BooleanField(default=True)
    requires_approval = models.BooleanField(
        default=False,
        db_default=False,
        help_text="Timesheets are submitted per week and approved before post-paid lines bill them.",
    )
    sale_line = models.ForeignKey(
        "sales.OrderLine",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Default order line billed by this project's timesheets.",
    )
    sale_order = models.ForeignKey(
        "sales.Order",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
        help_text="The order this project was created for (service tracking 'project').",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class Task(TimeStampedModel):
    class Stage(models.TextChoices):
        NEW = "new", "New"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="tasks")
    customer = models.ForeignKey(
        "sales.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    sale_line = models.ForeignKey(
        "sales.OrderLine", null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.NEW)
    is_done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    planned_date = models.DateField(null=True, blank=True)
    worksheet_notes = models.TextField(blank=True)
    signature = models.FileField(upload_to="signatures/%Y/%m/", blank=True)
    signed_by = models.CharField(max_length=200, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    worksheet_pdf = models.FileField(upload_to="worksheets/%Y/%m/", blank=True)
    worksheet_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["project_id", "-id"]
        indexes = [
            models.Index(fields=["project", "stage"], name="task_project_stage_idx"),
            models.Index(fields=["is_done"], name="task_done_idx", condition=Q(is_done=True)),
        ]
        constraints = [
            # One task per order line and project: confirming an order twice creates nothing twice.
            models.UniqueConstraint(
                fields=["sale_line", "project"],
                condition=Q(sale_line__isnull=False),
                name="task_one_per_sale_line_and_project",
            )
        ]

    def __str__(self):
        return self.title


class TaskMaterial(models.Model):
    """Goods used on a task; billed through a goods line on the task's order."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="materials")
    product = models.ForeignKey("sales.Product", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=QTY_DIGITS, decimal_places=QTY_PLACES)
    sale_line = models.ForeignKey(
        "sales.OrderLine", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    delivered = models.BooleanField(default=False)

    class Meta:
        ordering = ["task_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "product"], name="task_material_unique_product"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="task_material_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.product}"


class StockMove(models.Model):
    """A change of a product's on-hand quantity, for the audit trail: goods received (positive,
    with the supplier's reference) or consumed on a task (negative). The quantity on hand only
    changes together with a move (`projects.stock_services`, `projects.services`)."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", "Receipt"
        CONSUMPTION = "consumption", "Consumption"

    created_at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(
        max_length=12, choices=Kind.choices, default=Kind.CONSUMPTION, db_default=Kind.CONSUMPTION
    )
    date = models.DateField(null=True, blank=True, help_text="The day the goods came in or went out.")
    product = models.ForeignKey("sales.Product", on_delete=models.PROTECT, related_name="stock_moves")
    quantity = models.DecimalField(max_digits=QTY_DIGITS, decimal_places=QTY_PLACES)
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="stock_moves"
    )
    reference = models.CharField(
        max_length=100, blank=True, default="", db_default="", help_text="e.g. the supplier's delivery note"
    )
    note = models.CharField(max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=Decimal("0")), name="stock_move_not_zero"),
            models.CheckConstraint(
                condition=~Q(kind="receipt") | Q(quantity__gt=Decimal("0")), name="stock_receipt_positive"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} {self.product}"


class EmployeeRate(models.Model):
    """An hourly rate for one employee's time on a post-paid order line, or on every post-paid
    line billed through a project's timesheets (SPEC Time policy). It overrides the line's unit
    price for that employee's hours; the order line's own rate wins over the project's."""

    employee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sale_line = models.ForeignKey(
        "sales.OrderLine", null=True, blank=True, on_delete=models.CASCADE, related_name="employee_rates"
    )
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="employee_rates"
    )
    hourly_rate = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(sale_line__isnull=True) ^ Q(project__isnull=True), name="employee_rate_one_target"
            ),
            models.CheckConstraint(condition=Q(hourly_rate__gte=0), name="employee_rate_not_negative"),
            models.UniqueConstraint(fields=["employee", "sale_line"], name="employee_rate_unique_line"),
            models.UniqueConstraint(fields=["employee", "project"], name="employee_rate_unique_project"),
        ]

    def __str__(self):
        return f"{self.employee}: {self.hourly_rate}/h"
