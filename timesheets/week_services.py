"""The one write of the "My week" grid: save the typed cells of one employee's week.

Every changed cell goes through the timesheet services (`timesheet_log`, `timesheet_update`,
`timesheet_delete`), so the same rules hold as anywhere else: 24 h a day, billed and submitted
lines read-only, who may log on which ticket, billable rounding. All cells are saved in one
transaction: when one cell is refused, none is saved and each refused cell gets its message.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from audit import services as audit
from core.errors import ConflictError, DomainError

from .models import TimesheetLine
from .services import lock_orders, timesheet_day_lock, timesheet_delete, timesheet_log, timesheet_update
from .week_selectors import CELL_NAME, WeekGrid, parse_hours, timesheet_week_grid


class WeekNotSaved(Exception):
    """Some cells were refused; `errors` maps each refused cell's name to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(f"{len(errors)} cell(s) refused")
        self.errors = errors


@dataclass
class WeekSaved:
    changed: int = 0
    sale_line_ids: set = field(default_factory=set)


def _planned_changes(grid: WeekGrid, values: dict[str, str], errors: dict[str, str]) -> list[tuple]:
    """(cell, row, new hours or None) for every cell whose typed value differs from its hours."""
    changes = []
    for row in grid.rows:
        for cell in row.cells:
            if cell.name not in values:
                continue
            try:
                hours = parse_hours(values[cell.name])
            except ValueError as exc:
                errors[cell.name] = str(exc)
                continue
            if hours == 0:
                hours = None  # 0 empties the cell
            if hours == cell.hours:
                continue
            if cell.locked:
                errors[cell.name] = f"Read-only: {cell.locked}."
                continue
            changes.append((cell, row, hours))
    # Smaller cells first, so hours moved from one row to another on a full day fit the 24 h.
    changes.sort(key=lambda change: (change[2] or Decimal("0")) - (change[0].hours or Decimal("0")))
    return changes


def _apply(*, cell, row, hours, employee, user) -> int | None:
    """Save one cell; returns the order line its time is on (None: not billable)."""
    line = cell.line
    if line is not None and hours is None:
        timesheet_delete(line=line, user=user)
        return line.sale_line_id
    if line is not None:
        return timesheet_update(line=line, user=user, hours=hours).sale_line_id
    target = {row.kind: row.obj}
    return timesheet_log(employee=employee, user=user, date=cell.day, hours=hours, **target).sale_line_id


def _cells_outside(values, monday: datetime.date) -> dict[str, str]:
    errors = {}
    sunday = monday + datetime.timedelta(days=6)
    for name in values:
        match = CELL_NAME.match(name)
        try:
            inside = match is not None and monday <= datetime.date.fromisoformat(match[3]) <= sunday
        except ValueError:
            inside = False
        if not inside:
            errors[name] = "This cell is not in the week shown."
    return errors


def timesheet_week_save(*, employee, user, monday: datetime.date, values: dict[str, str]) -> WeekSaved:
    """Save the cells of `values` (cell name → typed text) of the employee's week. Cells not
    given are left alone. WeekNotSaved (nothing saved) when a cell is refused."""
    errors = _cells_outside(values, monday)
    keys = [f"{m[1]}-{m[2]}" for m in map(CELL_NAME.match, values) if m]
    saved = WeekSaved()
    with transaction.atomic():
        # The day locks of the whole week first (the house order: advisory locks before rows),
        # then the orders of the lines to change, so every service call below finds them held.
        for offset in range(7):
            timesheet_day_lock(employee.pk, monday + datetime.timedelta(days=offset))
        grid = timesheet_week_grid(employee=employee, monday=monday, extra_keys=keys)
        for name in values:
            if name not in errors and grid.cell(name) is None:
                errors[name] = "No such ticket, task or project."
        changes = _planned_changes(grid, values, errors)
        line_ids = [cell.line.pk for cell, _row, _hours in changes if cell.line is not None]
        if line_ids:
            lock_orders(
                TimesheetLine.objects.filter(pk__in=line_ids).values_list("sale_line__order_id", flat=True)
            )
        with audit.batch():  # the audit events of every cell: one INSERT
            for cell, row, hours in changes:
                try:
                    with transaction.atomic():  # a savepoint: one refused cell leaves the others
                        sale_line_id = _apply(cell=cell, row=row, hours=hours, employee=employee, user=user)
                except (DomainError, ConflictError) as exc:
                    errors[cell.name] = exc.message
                    continue
                saved.changed += 1
                if sale_line_id:
                    saved.sale_line_ids.add(sale_line_id)
        if errors:
            raise WeekNotSaved(errors)  # rolls the whole week back
    return saved
