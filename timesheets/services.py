"""Timesheet writes. CONTRACT: other apps code against these signatures.

Rules (SPEC Timesheets): hours in (0, 24], two decimals; project required (derived from the
ticket's team or the task when not given); default order line = ticket's item, else task's,
else project's; a line linked to a live invoice (draft/posted) cannot be changed or deleted.
"""

from datetime import date
from decimal import Decimal

from core.models import User

from .models import TimesheetLine

DEFAULT = object()  # "use the default order line" (distinct from None = not billable)


def timesheet_log(
    *,
    employee: User,
    date: date,
    hours: Decimal,
    user: User,
    description: str = "",
    project=None,
    task=None,
    ticket=None,
    sale_line=DEFAULT,
) -> TimesheetLine:
    """Create a line. DomainError (field-level) for bad hours, a ticket of a team without
    timesheets, an order line of another customer, a date too far ahead."""
    raise NotImplementedError


def timesheet_update(*, line: TimesheetLine, user: User, **fields) -> TimesheetLine:
    """Change date/hours/description/employee/task/ticket/sale_line. ConflictError when billed."""
    raise NotImplementedError


def timesheet_delete(*, line: TimesheetLine, user: User) -> None:
    """Delete a line. ConflictError when linked to a live invoice."""
    raise NotImplementedError


def timesheets_relink_sale_line(*, ticket=None, task=None, sale_line, user: User) -> int:
    """Move the not yet billed lines of a ticket (or task) to another order line (or None).
    Returns how many moved. Recomputes old and new lines."""
    raise NotImplementedError
