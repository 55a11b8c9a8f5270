"""The ORM versions (SQLite demo) give the PostgreSQL statements' figures on the known data set."""

import datetime

import pytest

from reports.filters import ReportFilters
from reports.selectors import hours_report, portable, prepaid_burndown, unbilled_work

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
