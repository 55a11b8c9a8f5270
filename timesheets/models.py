from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.errors import ConflictError
from core.models import TimeStampedModel


class TimesheetLine(TimeStampedModel):
    """Hours one person spent on a project (and maybe a task or ticket), billed via `sale_line`."""

    date = models.DateField()
    # No single-column index on employee, task, ticket, sale_line: the composite indexes below
    # start with them (every index is one more write per logged line).
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="timesheets", db_index=False
    )
    description = models.CharField(max_length=500, blank=True)
    hours = models.DecimalField(max_digits=5, decimal_places=2)
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="timesheets")
    task = models.ForeignKey(
        "projects.Task",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="timesheets",
        db_index=False,
    )
    ticket = models.ForeignKey(
        "helpdesk.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="timesheets",
        db_index=False,
    )
    sale_line = models.ForeignKey(
        "sales.OrderLine",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="timesheets",
        db_index=False,
    )
    invoice = models.ForeignKey(
        "invoicing.Invoice", null=True, blank=True, on_delete=models.SET_NULL, related_name="timesheets"
    )

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=Decimal("0")) & Q(hours__lte=Decimal("24")),
                name="timesheet_hours_range",
            ),
        ]
        # Each list of lines is newest first, so each filter has its (key, -date, -id) index: a
        # page is then read off its index with LIMIT. Without it PostgreSQL walks the (date, id)
        # index and filters, which reads the whole table when the key has few lines.
        indexes = [
            models.Index(fields=["-date", "-id"], name="timesheet_date_id_idx"),
            # `invoice` and `hours` included: the billing reads (uninvoiced lines of an order line
            # up to a date) and the sums per order line (delivered, remaining hours) never touch
            # the table.
            models.Index(
                fields=["sale_line", "-date", "-id"],
                include=["invoice", "hours"],
                name="timesheet_billing_idx",
            ),
            models.Index(fields=["employee", "-date", "-id"], name="timesheet_employee_date_idx"),
            models.Index(fields=["ticket", "-date", "-id"], include=["hours"], name="timesheet_ticket_idx"),
            models.Index(fields=["task", "-date", "-id"], name="timesheet_task_idx"),
        ]

    def __str__(self):
        return f"{self.date} {self.employee} {self.hours} h"

    def save(self, *args, **kwargs):
        # A billed line is frozen (SPEC Timesheets). The billing services link and release lines
        # with queryset updates; code that must save a billed row on purpose sets
        # `_allow_billed_change = True` on the instance.
        if not self._state.adding and not getattr(self, "_allow_billed_change", False):
            self.ensure_not_billed()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if not getattr(self, "_allow_billed_change", False):
            self.ensure_not_billed()
        return super().delete(*args, **kwargs)

    def ensure_not_billed(self) -> None:
        """ConflictError when the stored row is linked to a live (draft or posted) invoice."""
        if self.pk is None:
            return
        billed = (
            TimesheetLine.objects.filter(pk=self.pk, invoice__isnull=False)
            .exclude(invoice__state="cancel")
            .values_list("invoice_id", "invoice__number")
            .first()
        )
        if billed:
            invoice_id, number = billed
            raise ConflictError(
                f"This timesheet line is billed on invoice {number or f'(draft #{invoice_id})'}; "
                "cancel the draft or issue a credit note first.",
                code="timesheet_billed",
            )


class Timer(TimeStampedModel):
    """A stopwatch on a ticket or a task. A user has at most one running timer."""

    class State(models.TextChoices):
        RUNNING = "running", "Running"
        PAUSED = "paused", "Paused"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="timers")
    ticket = models.ForeignKey(
        "helpdesk.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="timers"
    )
    task = models.ForeignKey(
        "projects.Task", null=True, blank=True, on_delete=models.CASCADE, related_name="timers"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    # Seconds from finished running segments; the current segment runs from `running_since`.
    accumulated_seconds = models.PositiveIntegerField(default=0)
    running_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(state="running"), name="timer_one_running_per_user"
            ),
            models.CheckConstraint(
                condition=Q(ticket__isnull=False) | Q(task__isnull=False), name="timer_on_ticket_or_task"
            ),
            models.CheckConstraint(
                condition=(Q(state="running") & Q(running_since__isnull=False))
                | (Q(state="paused") & Q(running_since__isnull=True)),
                name="timer_running_since_matches_state",
            ),
        ]

    def __str__(self):
        return f"Timer of {self.user} ({self.state})"
