"""Pre-aggregated figures the reports read at scale (PostgreSQL only).

`HoursByDay` is maintained IN the database by statement-level triggers on the timesheet line
table and on order lines (invoice policy), created by `reports/migrations/0001_hours_by_day.py`;
no Python code writes it. On other databases the table exists but stays empty and the reports
aggregate the timesheet lines directly (`reports.selectors.portable`).
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
    """Not yet invoiced timesheet hours per order line. `first_date` and `last_date` bound the
    dates of those lines: they only widen while lines remain (a removed line never narrows
    them, so concurrent writers need no recount), and reset when none is left; the reports use
    the total only when the bounds fall inside the period, else they count the lines."""

    sale_line_id = models.IntegerField(unique=True)
    hours = models.DecimalField(max_digits=14, decimal_places=2)
    lines = models.IntegerField()
    first_date = models.DateField(null=True)
    last_date = models.DateField(null=True)

    def __str__(self) -> str:
        return f"order line {self.sale_line_id}: {self.hours} h not invoiced"
