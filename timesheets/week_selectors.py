"""Reads of the "My week" grid: one employee's lines of one week (Monday to Sunday) as rows (a
ticket, a task, or a project for lines on neither) × 7 days, with day, row and week totals.

A cell holds the hours of that row and day. It can be typed in when it holds no line or exactly
one line that its author may still change; a cell is read-only when its line is billed on a live
invoice, submitted or approved for approval (SPEC Time policy), or when it holds several lines
(those are changed on the ticket or task itself).
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from projects.models import Project, Task

from . import tickets as helpdesk_tickets
from .approvals import LOCKED_FOR_AUTHOR, week_of
from .models import TimesheetLine
from .selectors import tickets_user_may_log_on

ROW_KINDS = ("ticket", "task", "project")
ROW_KEY = re.compile(r"^(ticket|task|project)-(\d{1,12})$")
CELL_NAME = re.compile(r"^cell-(ticket|task|project)-(\d{1,12})-(\d{4}-\d{2}-\d{2})$")
HOURS_MINUTES = re.compile(r"^(\d{1,2}):(\d{1,2})$")
HOURS_INPUT_ERROR = "Enter hours as a number (1.5) or as h:mm (1:30)."


@dataclass
class Cell:
    day: datetime.date
    name: str
    hours: Decimal | None = None
    lines: list = field(default_factory=list)
    locked: str = ""  # why the cell is read-only ("" = it can be typed in)
    value: str = ""  # what the input shows (the posted text after a refused save)
    error: str = ""

    @property
    def line(self):
        return self.lines[0] if len(self.lines) == 1 else None


@dataclass
class Row:
    key: str
    kind: str
    obj: object
    cells: list[Cell]

    @property
    def label(self) -> str:
        if self.kind == "ticket":
            return f"#{self.obj.pk} {self.obj.title}"
        if self.kind == "task":
            return f"{self.obj.title} ({self.obj.project.name})"
        return f"{self.obj.name} (no ticket or task)"

    @property
    def total(self) -> Decimal:
        return sum((c.hours or Decimal("0") for c in self.cells), Decimal("0"))


@dataclass
class WeekGrid:
    monday: datetime.date
    days: list[datetime.date]
    rows: list[Row]

    @property
    def previous(self) -> datetime.date:
        return self.monday - datetime.timedelta(days=7)

    @property
    def next(self) -> datetime.date:
        return self.monday + datetime.timedelta(days=7)

    @property
    def day_totals(self) -> list[Decimal]:
        return [sum((r.cells[i].hours or Decimal("0") for r in self.rows), Decimal("0")) for i in range(7)]

    @property
    def total(self) -> Decimal:
        return sum(self.day_totals, Decimal("0"))

    def cell(self, name: str) -> Cell | None:
        for row in self.rows:
            for cell in row.cells:
                if cell.name == name:
                    return cell
        return None


def parse_week(value) -> datetime.date | None:
    """The Monday of the week of an ISO date (any day of it); None when not a date."""
    try:
        return week_of(datetime.date.fromisoformat(str(value)))[0]
    except (TypeError, ValueError):
        return None


def parse_hours(text: str) -> Decimal | None:
    """Hours typed in a cell: "1.5", "1,5" or "1:30" (h:mm, to the nearest 0.01 h); "" → None.
    ValueError (with the message to show) for anything else."""
    text = (text or "").strip()
    if not text:
        return None
    if match := HOURS_MINUTES.match(text):
        hours, minutes = int(match[1]), int(match[2])
        if minutes > 59:
            raise ValueError("Minutes go from 0 to 59 (e.g. 1:45).")
        value = Decimal(hours) + Decimal(minutes) / Decimal(60)
        return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValueError(HOURS_INPUT_ERROR) from None
    if not value.is_finite():
        raise ValueError(HOURS_INPUT_ERROR)
    return value


def row_key(ticket_id, task_id, project_id) -> str:
    """A line's row: its ticket, else its task, else its project."""
    if ticket_id:
        return f"ticket-{ticket_id}"
    if task_id:
        return f"task-{task_id}"
    return f"project-{project_id}"


def _lock_reason(lines, *, employee) -> str:
    if len(lines) > 1:
        return f"{len(lines)} lines: change them on the ticket or task"
    line = lines[0]
    if line.invoice_id and line.invoice.state != "cancel":
        return f"Billed on invoice {line.invoice.number or f'(draft #{line.invoice_id})'}"
    if line.approval_state in LOCKED_FOR_AUTHOR:
        return f"{line.get_approval_state_display()} for approval"
    return ""


def _row_objects(keys) -> dict[str, object]:
    """The tickets, tasks and projects of row keys, one query per kind present."""
    ids = {kind: set() for kind in ROW_KINDS}
    for key in keys:
        kind, pk = key.split("-")
        ids[kind].add(int(pk))
    found = {}
    querysets = {
        "ticket": helpdesk_tickets.tickets().select_related(None),
        "task": Task.objects.select_related("project"),
        "project": Project.objects.all(),
    }
    for kind, pks in ids.items():
        if pks:
            for obj in querysets[kind].filter(pk__in=pks):
                found[f"{kind}-{obj.pk}"] = obj
    return found


def timesheet_week_lines(*, employee, monday: datetime.date):
    """The employee's lines of the week, with what the grid shows (one query)."""
    return (
        TimesheetLine.objects.filter(
            employee=employee, date__gte=monday, date__lte=monday + datetime.timedelta(days=6)
        )
        .select_related("ticket", "task__project", "project", "invoice")
        .order_by("date", "id")
    )


def timesheet_week_row_keys(*, employee, monday: datetime.date) -> list[str]:
    """The rows the employee had in the week of `monday` (for "copy last week's rows")."""
    lines = TimesheetLine.objects.filter(
        employee=employee, date__gte=monday, date__lte=monday + datetime.timedelta(days=6)
    )
    keys = []
    for ticket_id, task_id, project_id in lines.order_by().values_list("ticket_id", "task_id", "project_id"):
        key = (
            f"ticket-{ticket_id}" if ticket_id else f"task-{task_id}" if task_id else f"project-{project_id}"
        )
        if key not in keys:
            keys.append(key)
    return keys


def timesheet_week_grid(*, employee, monday: datetime.date, extra_keys=()) -> WeekGrid:
    """The grid of the employee's week; `extra_keys` add empty rows (added or copied rows,
    keys like "ticket-12"; unknown ones are dropped). Two queries at most, plus one per kind of
    added row."""
    days = [monday + datetime.timedelta(days=i) for i in range(7)]
    by_row: dict[str, dict] = {}
    for line in timesheet_week_lines(employee=employee, monday=monday):
        key = row_key(line.ticket_id, line.task_id, line.project_id)
        entry = by_row.setdefault(key, {"obj": line.ticket or line.task or line.project, "lines": {}})
        entry["lines"].setdefault(line.date, []).append(line)
    wanted = [k for k in dict.fromkeys(extra_keys) if ROW_KEY.match(k or "") and k not in by_row]
    objects = _row_objects(wanted) if wanted else {}
    for key in wanted:
        if key in objects:
            by_row[key] = {"obj": objects[key], "lines": {}}
    rows = []
    for key, entry in by_row.items():
        cells = []
        for day in days:
            lines = entry["lines"].get(day, [])
            hours = sum((line.hours for line in lines), Decimal("0")) if lines else None
            cell = Cell(day=day, name=f"cell-{key}-{day.isoformat()}", hours=hours, lines=lines)
            cell.locked = _lock_reason(lines, employee=employee) if lines else ""
            cell.value = f"{hours:.2f}" if hours is not None else ""
            cells.append(cell)
        rows.append(Row(key=key, kind=key.split("-")[0], obj=entry["obj"], cells=cells))
    return WeekGrid(monday=monday, days=days, rows=rows)


def tickets_and_tasks_to_log_on(*, user, limit: int = 200):
    """What a new row may be: open tickets of the user's teams (every team's for admins) and
    open tasks, newest first (two queries)."""
    tickets = helpdesk_tickets.open_for_time(tickets_user_may_log_on(user=user))
    tickets = tickets.select_related(None).order_by("-id").only("pk", "title")[:limit]
    tasks = Task.objects.filter(is_done=False).exclude(stage="cancelled")
    tasks = tasks.select_related("project").order_by("-id").only("pk", "title", "project__name")[:limit]
    return [(f"ticket-{t.pk}", f"#{t.pk} {t.title}") for t in tickets], [
        (f"task-{t.pk}", f"{t.title} ({t.project.name})") for t in tasks
    ]
