"""Timesheet writes. CONTRACT: other apps code against these signatures; import them from
`timesheets.services`, not from its modules.

Rules (SPEC Timesheets): hours in (0, 24], two decimals, one employee's lines of one date total
at most 24 h (checked under an advisory lock per employee and day); project required (derived from the
ticket's team or the task when not given); default order line = ticket's item, else task's,
else project's; a line linked to a live invoice (draft/posted) cannot be changed or deleted.

Delivered quantities follow through the receivers in `timesheets.signals` (one set-based
recompute per save/delete); the bulk re-link calls the recompute itself.

`checks.py`: the checks and locks every write runs; `lines.py`: the writes.
"""

from .checks import DEFAULT, MAX_HOURS, MAX_HOURS_PER_DAY, lock_orders, timesheet_day_lock
from .lines import (
    AUDIT_FIELDS,
    UPDATABLE_FIELDS,
    timesheet_delete,
    timesheet_log,
    timesheet_update,
    timesheets_relink_sale_line,
)

__all__ = [
    "AUDIT_FIELDS",
    "DEFAULT",
    "MAX_HOURS",
    "MAX_HOURS_PER_DAY",
    "UPDATABLE_FIELDS",
    "lock_orders",
    "timesheet_day_lock",
    "timesheet_delete",
    "timesheet_log",
    "timesheet_update",
    "timesheets_relink_sale_line",
]
