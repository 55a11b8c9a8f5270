from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce

from core.errors import ConflictError
from core.models import TimeStampedModel
from core.units import billable_hours
from sales.models import OrderLine
from sales.selectors import order_line_billable_rule

# The billed duration of a line in queries (rows inserted in bulk may leave it empty: actual hours).
BILLED_HOURS = Coalesce("billed_hours", "hours")


def _rule_loaded(line) -> bool:
    """The order line came with its order's customer and its product (no query needed)."""
    cache = line._state.fields_cache
    return (
        "order" in cache
        and "customer" in line.order._state.fields_cache
        and ("product" in cache or line.product_id is None)
    )


class ApprovalState(models.TextChoices):
    NONE = "none", "No approval needed"
    DRAFT = "draft", "Not submitted"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


# Lines that post-paid order lines may bill.
INVOICEABLE_APPROVAL_STATES = (ApprovalState.NONE, ApprovalState.APPROVED)


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
    # The duration billed (SPEC Time policy): `hours` rounded by the customer's / product's rule
    # when the line was saved; what delivered quantities, remaining hours and invoices use. Empty
    # (rows inserted in bulk) means the actual hours: read it through BILLED_HOURS.
    billed_hours = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
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
    # The invoice line that bills this line (one per hourly rate when employee rates apply).
    invoice_line = models.ForeignKey(
        "invoicing.InvoiceLine", null=True, blank=True, on_delete=models.SET_NULL, related_name="timesheets"
    )
    # Approval (SPEC Time policy), on projects that require it: draft → submitted → approved or
    # rejected (then submitted again). `none`: the project did not require approval when the line
    # was logged. Post-paid lines bill only `none` and `approved` lines.
    approval_state = models.CharField(
        max_length=10, choices=ApprovalState.choices, default=ApprovalState.NONE, db_default="none"
    )
    approval_reason = models.CharField(max_length=500, blank=True, default="", db_default="")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        permissions = [("approve_timesheets", "Can approve or reject submitted timesheet weeks")]
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

    @property
    def billed(self) -> Decimal:
        """The billed duration (the actual hours when none was stored)."""
        return self.hours if self.billed_hours is None else self.billed_hours

    def compute_billed_hours(self) -> Decimal:
        """`hours` rounded by the billing rule of the order line (none when not billable)."""
        if self.sale_line_id is None:
            return self.hours
        line = self._state.fields_cache.get("sale_line")
        if line is None or line.pk != self.sale_line_id or not _rule_loaded(line):
            line = OrderLine.objects.select_related("order__customer", "product").get(pk=self.sale_line_id)
        step, minimum = order_line_billable_rule(line=line)
        return billable_hours(self.hours, step_minutes=step, minimum_minutes=minimum)

    def save(self, *args, **kwargs):
        # A billed line is frozen (SPEC Timesheets). The billing services link and release lines
        # with queryset updates; code that must save a billed row on purpose sets
        # `_allow_billed_change = True` on the instance.
        if not self._state.adding and not getattr(self, "_allow_billed_change", False):
            self.ensure_not_billed()
        if (
            self._state.adding
            and self.approval_state == ApprovalState.NONE
            and self.project.requires_approval
        ):
            self.approval_state = ApprovalState.DRAFT
        if self.billed_hours is None:  # new lines, and lines whose hours or order line changed
            self.billed_hours = self.compute_billed_hours()
            if "update_fields" in kwargs and kwargs["update_fields"] is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "billed_hours"}
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
