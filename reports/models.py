"""Pre-aggregated figures the reports read at scale (PostgreSQL only).

The summaries are maintained IN the database by triggers on timesheet lines (and on what decides
a line's group: order line policy; ticket, task and project customer) created by the `reports`
migrations; no Python code writes them (but `summaries.compact` folds the customer-month log).
Each carries the actual hours and the billed duration (`billed_hours`, SPEC Time policy). On
other databases the tables stay empty and the reports aggregate the timesheet lines directly
(`reports.selectors.portable`).
"""

from django.db import models


class HoursByDay(models.Model):
    """Hours of timesheet lines per day, employee, project and billing state."""

    date = models.DateField()
    employee_id = models.IntegerField()
    project_id = models.IntegerField()
    billable = models.BooleanField()  # on an order line
    on_timesheets = models.BooleanField()  # that order line invoices timesheets
    billed = models.BooleanField()  # on an invoice
    hours = models.DecimalField(max_digits=14, decimal_places=2)
    billed_hours = models.DecimalField(max_digits=14, decimal_places=2)  # billed duration
    lines = models.IntegerField()  # timesheet lines counted (0: the group is empty)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["date", "employee_id", "project_id", "billable", "on_timesheets", "billed"],
                name="reports_hours_by_day_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} employee {self.employee_id}: {self.hours} h"


class UnbilledHours(models.Model):
    """Timesheet hours per order line that an invoice may still bill (not invoiced; approved
    or needing no approval, as a post-paid line bills). `first_date` and `last_date` bound the
    dates of those lines: they only widen while lines remain (a removed line never narrows
    them, so concurrent writers need no recount), and reset when none is left; the reports use
    the total only when the bounds fall inside the period, else they count the lines."""

    sale_line_id = models.IntegerField(unique=True)
    hours = models.DecimalField(max_digits=14, decimal_places=2)
    billed_hours = models.DecimalField(max_digits=14, decimal_places=2)  # billed duration
    lines = models.IntegerField()
    first_date = models.DateField(null=True)
    last_date = models.DateField(null=True)

    def __str__(self) -> str:
        return f"order line {self.sale_line_id}: {self.hours} h not invoiced"


class HoursByCustomerMonth(models.Model):
    """Hours per month, customer (the ticket's, else the task's, else the project's; 0: none)
    and billing state, as a log of deltas: the triggers only INSERT, so writers lock nothing
    here; a key's figures are the SUM of its rows (`summaries.compact` folds them into one)."""

    month = models.DateField()  # first day of the month
    customer_id = models.IntegerField()
    billable = models.BooleanField()  # on an order line
    policy = models.CharField(max_length=16, blank=True)  # that order line's invoice policy
    billed = models.BooleanField()  # on an invoice
    hours = models.DecimalField(max_digits=14, decimal_places=2)
    billed_hours = models.DecimalField(max_digits=14, decimal_places=2)
    lines = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["customer_id", "month"], name="reports_hcm_customer_idx"),
            models.Index(fields=["month"], name="reports_hcm_month_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} customer {self.customer_id}: {self.hours} h"


class HoursByOrderLine(models.Model):
    """Every timesheet hour per order line, actual and billed; `first_date` and `last_date`
    bound the lines' dates as in `UnbilledHours` (they only widen while lines remain)."""

    sale_line_id = models.IntegerField(unique=True)
    hours = models.DecimalField(max_digits=14, decimal_places=2)
    billed_hours = models.DecimalField(max_digits=14, decimal_places=2)
    lines = models.IntegerField()
    first_date = models.DateField(null=True)
    last_date = models.DateField(null=True)

    def __str__(self) -> str:
        return f"order line {self.sale_line_id}: {self.hours} h"
