"""The per-day hours summary the database keeps (reports.models.HoursByDay) always equals the
direct aggregation of the timesheet lines: after logging, editing, moving, deleting, invoicing,
crediting and a change of an order line's invoice policy (PostgreSQL triggers)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from invoicing import services as invoicing
from invoicing.credit_notes import invoice_credit_note
from reports.filters import ReportFilters
from reports.models import HoursByDay, UnbilledHours
from reports.selectors import hours_report, portable, unbilled_work
from sales.models import OrderLine, Product
from timesheets.models import TimesheetLine
from timesheets.services import timesheet_delete, timesheet_log, timesheet_update

from .conftest import TODAY

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="triggers are PostgreSQL's")
D = Decimal
KEY = ("date", "employee_id", "project_id", "billable", "on_timesheets", "billed")


def direct() -> dict:
    """The summary's groups, aggregated line by line in Python."""
    groups: dict = {}
    lines = TimesheetLine.objects.values(
        "date", "employee_id", "project_id", "sale_line_id", "invoice_id", "hours"
    )
    policies = dict(OrderLine.objects.values_list("pk", "invoice_policy"))
    for line in lines:
        key = (
            line["date"],
            line["employee_id"],
            line["project_id"],
            line["sale_line_id"] is not None,
            policies.get(line["sale_line_id"]) == Product.InvoicePolicy.TIMESHEET,
            line["invoice_id"] is not None,
        )
        hours, count = groups.get(key, (D(0), 0))
        groups[key] = (hours + line["hours"], count + 1)
    return groups


def summary() -> dict:
    rows = HoursByDay.objects.filter(lines__gt=0).values(*KEY, "hours", "lines")
    return {tuple(row[k] for k in KEY): (row["hours"], row["lines"]) for row in rows}


def assert_unbilled_summary_matches() -> None:
    expected: dict = {}
    for line in TimesheetLine.objects.filter(invoice__isnull=True, sale_line__isnull=False):
        hours, count, first, last = expected.get(line.sale_line_id, (D(0), 0, line.date, line.date))
        expected[line.sale_line_id] = (
            hours + line.hours,
            count + 1,
            min(first, line.date),
            max(last, line.date),
        )
    kept = {row.sale_line_id: row for row in UnbilledHours.objects.all()}
    assert {pk: (row.hours, row.lines) for pk, row in kept.items() if row.lines} == {
        pk: figures[:2] for pk, figures in expected.items()
    }
    for pk, (_, _, first, last) in expected.items():  # the bounds hold every uninvoiced date
        assert kept[pk].first_date <= first and kept[pk].last_date >= last
    for row in kept.values():
        if not row.lines:
            assert (row.hours, row.first_date, row.last_date) == (0, None, None)


def assert_summary_matches() -> None:
    assert summary() == direct()
    assert not HoursByDay.objects.filter(lines=0).exclude(hours=0).exists()
    assert_unbilled_summary_matches()


def test_summary_follows_every_timesheet_change(story, accountant):
    assert_summary_matches()  # the story: logged, invoiced, credited (prepaid)
    ana, bob = story.ana, story.bob
    b_line = story.orders["B"].lines.get()
    line = TimesheetLine.objects.get(employee=bob, date=datetime.date(2026, 11, 3))
    project = line.project

    day = datetime.date(2026, 11, 3)
    extra = timesheet_log(employee=ana, user=ana, date=day, hours=D("0.5"), project=project, sale_line=b_line)
    assert_summary_matches()
    timesheet_update(line=extra, user=ana, hours=D("1.75"))
    assert_summary_matches()
    timesheet_update(line=extra, user=ana, date=datetime.date(2026, 11, 4))
    assert_summary_matches()
    timesheet_update(line=extra, user=ana, description="Only the words change")
    assert_summary_matches()
    timesheet_delete(line=extra, user=ana)
    assert_summary_matches()

    # Invoicing SO-B links its unbilled lines (bulk UPDATE), crediting it releases them.
    invoice = invoicing.invoice_create_from_order(order=story.orders["B"], user=accountant)
    invoice = invoicing.invoice_post(invoice=invoice, user=accountant)
    assert TimesheetLine.objects.filter(invoice=invoice).exists()
    assert_summary_matches()
    invoice_credit_note(invoice=invoice, user=accountant)
    assert not TimesheetLine.objects.filter(invoice=invoice).exists()
    assert_summary_matches()

    # A change of the order line's invoice policy moves its hours between groups.
    OrderLine.objects.filter(pk=b_line.pk).update(invoice_policy=Product.InvoicePolicy.MANUAL)
    assert_summary_matches()
    OrderLine.objects.filter(pk=b_line.pk).update(invoice_policy=Product.InvoicePolicy.TIMESHEET)
    assert_summary_matches()

    TimesheetLine.objects.filter(employee=bob).delete()
    assert_summary_matches()


def test_hours_report_from_the_summary_equals_the_direct_aggregate(story):
    from reports.selectors import hours as hours_selector

    filters = ReportFilters(date_from=datetime.date(2026, 10, 1), date_to=TODAY)
    for group_by in ("project", "employee", "month"):
        for who in (None, story.bob.pk):
            restricted = ReportFilters(date_from=filters.date_from, date_to=filters.date_to, employee_id=who)
            from_summary = hours_report(filters=restricted, group_by=group_by)
            sql, params = hours_selector._hours_sql(restricted, group_by)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                expected = {row[0]: tuple(v or D(0) for v in row[1:]) for row in cursor.fetchall()}
            got = {row.key: (row.total, row.billable, row.billed, row.unbilled) for row in from_summary.rows}
            assert got == expected, (group_by, who)


def test_unbilled_work_from_the_summary_equals_the_line_by_line_rule(story, accountant):
    ana = story.ana
    c_line = story.orders["C"].lines.get()
    project = TimesheetLine.objects.filter(sale_line=c_line).first().project
    for day, hours in (((2026, 8, 3), "2.00"), ((2026, 10, 30), "0.25")):
        timesheet_log(
            employee=ana,
            user=ana,
            date=datetime.date(*day),
            hours=D(hours),
            project=project,
            sale_line=c_line,
        )
    extra = TimesheetLine.objects.get(date=datetime.date(2026, 8, 3))
    timesheet_update(line=extra, user=ana, date=datetime.date(2026, 11, 20))  # bounds stay wide
    periods = [(None, TODAY), (datetime.date(2026, 10, 1), TODAY), (datetime.date(2026, 11, 1), TODAY)]
    periods += [(datetime.date(2026, 8, 1), datetime.date(2026, 10, 31)), (None, datetime.date(2026, 9, 30))]
    for date_from, date_to in periods:
        filters = ReportFilters(date_from=date_from, date_to=date_to)
        report = unbilled_work(filters=filters)
        expected = portable.unbilled_rows(filters=filters)
        got = [(row.line_id, row.hours, row.quantity, row.value) for row in report.rows]
        assert got == [(row["line_id"], row["hours"], row["quantity"], row["value"]) for row in expected], (
            date_from,
            date_to,
        )
    assert_summary_matches()


def test_rebuilding_the_summaries_gives_what_the_triggers_kept(story):
    from reports.summaries import rebuild_summaries

    kept_hours, kept_unbilled = (
        summary(),
        set(UnbilledHours.objects.filter(lines__gt=0).values_list("sale_line_id", "hours", "lines")),
    )
    with connection.cursor() as cursor:
        rebuild_summaries(cursor)
    assert summary() == kept_hours
    assert set(UnbilledHours.objects.values_list("sale_line_id", "hours", "lines")) == kept_unbilled
    assert_summary_matches()
