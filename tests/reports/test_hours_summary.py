"""The summaries the database keeps (reports.models: HoursByDay, UnbilledHours,
HoursByCustomerMonth) always equal the direct aggregation of the timesheet lines, actual and
billed hours: after logging, editing, moving, deleting, invoicing, crediting, approving, a change
of an order line's invoice policy and of a ticket's, task's or project's customer, and a
compaction of the customer-month log (PostgreSQL triggers)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from helpdesk.models import Ticket
from invoicing import services as invoicing
from invoicing.services import invoice_credit_note
from projects.models import Project, Task
from reports.filters import ReportFilters
from reports.models import HoursByCustomerMonth, HoursByDay, HoursByOrderLine, UnbilledHours
from reports.selectors import hours_report, portable, unbilled_work
from reports.summaries import compact
from sales.models import OrderLine, Product
from tests.factories import CustomerFactory, ProjectFactory, TaskFactory, TicketFactory
from timesheets.models import INVOICEABLE_APPROVAL_STATES, TimesheetLine
from timesheets.services import timesheet_delete, timesheet_log, timesheet_update

from .conftest import TODAY

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="triggers are PostgreSQL's")
D = Decimal
KEY = ("date", "employee_id", "project_id", "billable", "on_timesheets", "billed")


def _lines():
    return TimesheetLine.objects.select_related("ticket", "task", "project", "sale_line")


def _add(groups: dict, key, line) -> None:
    hours, billed, count = groups.get(key, (D(0), D(0), 0))
    groups[key] = (hours + line.hours, billed + line.billed, count + 1)


def _state(line) -> tuple:
    policy = line.sale_line.invoice_policy if line.sale_line else None
    return (
        line.sale_line_id is not None,
        policy == Product.InvoicePolicy.TIMESHEET,
        line.invoice_id is not None,
    )


def direct() -> dict:
    """The per-day summary's groups, aggregated line by line in Python."""
    groups: dict = {}
    for line in _lines():
        _add(groups, (line.date, line.employee_id, line.project_id, *_state(line)), line)
    return groups


def summary() -> dict:
    rows = HoursByDay.objects.filter(lines__gt=0).values(*KEY, "hours", "billed_hours", "lines")
    return {tuple(row[k] for k in KEY): (row["hours"], row["billed_hours"], row["lines"]) for row in rows}


def customer_of(line) -> int:
    for owner in (line.ticket, line.task, line.project):
        if owner is not None and owner.customer_id is not None:
            return owner.customer_id
    return 0


def customer_months() -> dict:
    """The customer-month log summed per key, without the empty keys."""
    groups: dict = {}
    for row in HoursByCustomerMonth.objects.values():
        key = tuple(row[k] for k in ("month", "customer_id", "billable", "policy", "billed"))
        hours, billed, count = groups.get(key, (D(0), D(0), 0))
        groups[key] = (hours + row["hours"], billed + row["billed_hours"], count + row["lines"])
    return {key: figures for key, figures in groups.items() if figures != (0, 0, 0)}


def direct_customer_months() -> dict:
    groups: dict = {}
    for line in _lines():
        billable, _, invoiced = _state(line)
        policy = line.sale_line.invoice_policy if line.sale_line else ""
        _add(groups, (line.date.replace(day=1), customer_of(line), billable, policy, invoiced), line)
    return groups


def assert_unbilled_summary_matches() -> None:
    expected: dict = {}
    for line in TimesheetLine.objects.filter(
        invoice__isnull=True, sale_line__isnull=False, approval_state__in=INVOICEABLE_APPROVAL_STATES
    ):
        hours, billed, count, first, last = expected.get(
            line.sale_line_id, (D(0), D(0), 0, line.date, line.date)
        )
        expected[line.sale_line_id] = (
            hours + line.hours,
            billed + line.billed,
            count + 1,
            min(first, line.date),
            max(last, line.date),
        )
    kept = {row.sale_line_id: row for row in UnbilledHours.objects.all()}
    assert {pk: (row.hours, row.billed_hours, row.lines) for pk, row in kept.items() if row.lines} == {
        pk: figures[:3] for pk, figures in expected.items()
    }
    for pk, (*_, first, last) in expected.items():  # the bounds hold every uninvoiced date
        assert kept[pk].first_date <= first and kept[pk].last_date >= last
    for row in kept.values():
        if not row.lines:
            assert (row.hours, row.billed_hours, row.first_date, row.last_date) == (0, 0, None, None)


def assert_order_line_summary_matches() -> None:
    expected: dict = {}
    for line in TimesheetLine.objects.filter(sale_line__isnull=False):
        hours, billed, count, first, last = expected.get(
            line.sale_line_id, (D(0), D(0), 0, line.date, line.date)
        )
        expected[line.sale_line_id] = (
            hours + line.hours,
            billed + line.billed,
            count + 1,
            min(first, line.date),
            max(last, line.date),
        )
    kept = {row.sale_line_id: row for row in HoursByOrderLine.objects.all()}
    assert {pk: (row.hours, row.billed_hours, row.lines) for pk, row in kept.items() if row.lines} == {
        pk: figures[:3] for pk, figures in expected.items()
    }
    for pk, (*_, first, last) in expected.items():
        assert kept[pk].first_date <= first and kept[pk].last_date >= last


def assert_summary_matches() -> None:
    assert summary() == direct()
    assert not HoursByDay.objects.filter(lines=0).exclude(hours=0, billed_hours=0).exists()
    assert_unbilled_summary_matches()
    assert customer_months() == direct_customer_months()
    assert_order_line_summary_matches()


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

    # What decides a line's customer changes: its ticket's, its task's, its project's customer.
    umbrella = CustomerFactory(name="Umbrella")
    ticket, task = TicketFactory(customer=story.globex), TaskFactory(project=project, customer=None)
    TimesheetLine.objects.filter(pk=line.pk).update(ticket=ticket)
    TimesheetLine.objects.filter(employee=ana, sale_line=b_line).update(task=task)
    assert_summary_matches()
    Ticket.objects.filter(pk=ticket.pk).update(customer=umbrella)
    assert_summary_matches()
    Task.objects.filter(pk=task.pk).update(customer=story.initech)
    assert_summary_matches()
    Project.objects.filter(pk=project.pk).update(customer=umbrella)
    assert_summary_matches()
    Ticket.objects.filter(pk=ticket.pk).update(customer=None)
    assert_summary_matches()
    assert_compaction_keeps_the_sums()

    TimesheetLine.objects.filter(employee=bob).delete()
    assert_summary_matches()
    assert_compaction_keeps_the_sums()


def assert_compaction_keeps_the_sums() -> None:
    before = HoursByCustomerMonth.objects.count()
    removed = compact()
    assert removed > 0 and HoursByCustomerMonth.objects.count() == before - removed
    assert_summary_matches()
    rows = HoursByCustomerMonth.objects.values_list("month", "customer_id", "billable", "policy", "billed")
    assert len(rows) == len(set(rows))  # one row per key
    assert not HoursByCustomerMonth.objects.filter(lines=0, hours=0, billed_hours=0).exists()
    assert compact() == 0


def test_approval_moves_hours_in_and_out_of_what_invoices_may_bill(story, admin_staff):
    from timesheets.approvals import timesheet_week_approve, timesheet_week_submit

    ana = story.ana
    c_line = story.orders["C"].lines.get()
    project = ProjectFactory(name="Approved work", customer=story.initech, requires_approval=True)
    day = datetime.date(2026, 11, 16)
    timesheet_log(employee=ana, user=ana, date=day, hours=D("2.00"), project=project, sale_line=c_line)
    assert_summary_matches()
    assert unbilled_work(filters=ReportFilters(date_to=TODAY)).hours == D("5.50")  # draft: not billable
    timesheet_week_submit(employee=ana, week=day, user=ana)
    assert_summary_matches()
    timesheet_week_approve(employee=ana, week=day, user=admin_staff)
    assert_summary_matches()
    assert unbilled_work(filters=ReportFilters(date_to=TODAY)).hours == D("7.50")


def test_hours_report_from_the_summary_equals_the_direct_aggregate(story):
    from reports.selectors import hours as hours_selector

    filters = ReportFilters(date_from=datetime.date(2026, 10, 1), date_to=TODAY)
    for group_by in ("project", "employee", "month"):
        for who in (None, story.bob.pk):
            restricted = ReportFilters(date_from=filters.date_from, date_to=filters.date_to, employee_id=who)
            from_summary = hours_report(filters=restricted, group_by=group_by)
            sql, params = hours_selector.hours_sql(restricted, group_by, direct=True)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                expected = {row[0]: tuple(v or D(0) for v in row[1:]) for row in cursor.fetchall()}
            assert _figures(from_summary) == expected, (group_by, who)


def _figures(report) -> dict:
    names = ("total", "billable", "invoiced", "unbilled")
    return {
        row.key: tuple(getattr(f, n) for f in (row.actual, row.billed) for n in names) for row in report.rows
    }


# Whole months, partial first / last months, one month, a range inside a month, no start.
RANGES = [
    (datetime.date(2026, 9, 1), datetime.date(2026, 10, 31)),
    (datetime.date(2026, 9, 11), TODAY),
    (datetime.date(2026, 10, 5), datetime.date(2026, 10, 20)),
    (datetime.date(2026, 10, 1), datetime.date(2026, 10, 31)),
    (datetime.date(2026, 11, 3), datetime.date(2026, 11, 3)),
    (None, datetime.date(2026, 10, 19)),
    (None, TODAY),
]


def test_hours_by_customer_from_the_month_summary_equal_the_direct_aggregate(story):
    from reports.selectors import hours as hours_selector

    for date_from, date_to in RANGES:
        for customer in (None, story.globex.pk, story.initech.pk):
            filters = ReportFilters(date_from=date_from, date_to=date_to, customer_id=customer)
            for group_by in ("customer", "month"):
                sql, params = hours_selector.hours_sql(filters, group_by, direct=True)
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    expected = {row[0]: tuple(v or D(0) for v in row[1:]) for row in cursor.fetchall()}
                got = _figures(hours_report(filters=filters, group_by=group_by))
                assert got == expected, (date_from, date_to, customer, group_by)


def test_whole_months_and_the_partial_days_around_them():
    from reports.selectors.hours import whole_months

    day = datetime.date
    assert whole_months(day(2026, 9, 1), day(2026, 10, 31)) == (day(2026, 9, 1), day(2026, 11, 1), [])
    assert whole_months(day(2026, 9, 11), day(2026, 11, 23)) == (
        day(2026, 10, 1),
        day(2026, 11, 1),
        [(day(2026, 9, 11), day(2026, 9, 30)), (day(2026, 11, 1), day(2026, 11, 23))],
    )
    assert whole_months(day(2026, 10, 5), day(2026, 10, 20)) == (
        None,
        None,
        [(day(2026, 10, 5), day(2026, 10, 20))],
    )
    assert whole_months(day(2026, 10, 5), day(2026, 11, 20)) == (
        None,
        None,
        [(day(2026, 10, 5), day(2026, 11, 20))],
    )
    assert whole_months(None, day(2026, 12, 31)) == (None, day(2027, 1, 1), [])
    assert whole_months(None, day(2026, 2, 27)) == (
        None,
        day(2026, 2, 1),
        [(day(2026, 2, 1), day(2026, 2, 27))],
    )


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

    figures = ("sale_line_id", "hours", "billed_hours", "lines")
    kept_hours, kept_months = summary(), customer_months()
    kept_unbilled = set(UnbilledHours.objects.filter(lines__gt=0).values_list(*figures))
    kept_lines = set(HoursByOrderLine.objects.filter(lines__gt=0).values_list(*figures))
    with connection.cursor() as cursor:
        rebuild_summaries(cursor)
    assert summary() == kept_hours
    assert customer_months() == kept_months
    assert set(UnbilledHours.objects.values_list(*figures)) == kept_unbilled
    assert set(HoursByOrderLine.objects.values_list(*figures)) == kept_lines
    assert_summary_matches()
