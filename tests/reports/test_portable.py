"""The ORM versions (SQLite demo) give the PostgreSQL statements' figures on the known data set."""

import datetime
from decimal import Decimal

import pytest

from projects.models import Project
from reports.filters import ReportFilters
from reports.selectors import hours_report, portable, prepaid_burndown, unbilled_work
from timesheets.services import timesheet_log

from .conftest import TODAY

FIGURES = ("total", "billable", "invoiced", "unbilled")

FILTERS = [
    ReportFilters(date_from=datetime.date(2026, 7, 1), date_to=TODAY),
    ReportFilters(date_from=datetime.date(2026, 11, 5), date_to=TODAY),
    ReportFilters(date_to=TODAY),
]


@pytest.mark.parametrize("group_by", ["customer", "project", "employee", "month"])
def test_hours_rows_agree(story, group_by):
    for filters in [*FILTERS, ReportFilters(date_to=TODAY, customer_id=story.globex.pk)]:
        report = hours_report(filters=filters, group_by=group_by)
        statement = {
            (r.key, *(getattr(f, name) for f in (r.actual, r.billed) for name in FIGURES))
            for r in report.rows
        }
        orm = {
            (key, *(figure or 0 for figure in figures))
            for key, *figures in portable.hours_rows(filters=filters, group_by=group_by)
        }
        assert statement == orm


def test_unbilled_and_burndown_rows_agree(story):
    for filters in FILTERS:
        report = unbilled_work(filters=filters)
        rows = portable.unbilled_rows(filters=filters)
        assert [(r.line_id, r.hours, r.actual_hours, r.quantity, r.value) for r in report.rows] == [
            (r["line_id"], r["hours"], r["actual_hours"], r["quantity"], r["value"]) for r in rows
        ]
        burndown = prepaid_burndown(filters=filters)
        rows = portable.burndown_rows(filters=filters)
        assert [(r.line_id, r.sold, r.used, r.used_in_period, r.used_actual) for r in burndown.rows] == [
            (r["line_id"], r["sold"], r["used"], r["used_in_period"], r["used_actual"]) for r in rows
        ]


def test_burndown_of_a_line_used_before_and_in_the_period_agrees(story):
    """SO-A's hours begin before the period and go on in it: its total comes from the per-line
    summary, its use in the period from the period's lines only."""
    a_line = story.orders["A"].lines.get()
    timesheet_log(
        employee=story.ana,
        user=story.ana,
        date=datetime.date(2026, 11, 16),
        hours=Decimal("1.25"),
        project=Project.objects.get(name="Globex support"),
        sale_line=a_line,
    )
    filters = ReportFilters(date_from=datetime.date(2026, 10, 1), date_to=TODAY)
    burndown = prepaid_burndown(filters=filters)
    row = next(r for r in burndown.rows if r.line_id == a_line.pk)
    assert (row.used, row.used_in_period, row.used_actual) == (
        Decimal("4.25"),
        Decimal("1.25"),
        Decimal("4.25"),
    )
    rows = portable.burndown_rows(filters=filters)
    assert [(r.line_id, r.sold, r.used, r.used_in_period, r.used_actual) for r in burndown.rows] == [
        (r["line_id"], r["sold"], r["used"], r["used_in_period"], r["used_actual"]) for r in rows
    ]
