"""Small steps shared by the invoicing tests."""

from decimal import Decimal

from tests.clock import TODAY
from timesheets import services as ts


def log(agent, hours, line, project, day=TODAY):
    """`hours` of `agent` on the order line `line` in `project`, logged through the service."""
    return ts.timesheet_log(
        employee=agent, user=agent, date=day, hours=Decimal(hours), project=project, sale_line=line
    )


def fresh(obj):
    obj.refresh_from_db()
    return obj
