"""Each report on the known data set of conftest.py, figures worked out by hand."""

import datetime
from decimal import Decimal

from contracts.services import contract_create
from reports.filters import ReportFilters
from reports.selectors import (
    aged_receivables,
    hours_report,
    prepaid_burndown,
    revenue_by_month,
    unbilled_work,
)

from .conftest import TODAY

D = Decimal
AUTUMN = ReportFilters(date_from=datetime.date(2026, 9, 1), date_to=datetime.date(2026, 11, 30))


def _hours(report):
    return {
        row.label: (
            row.actual.total,
            row.actual.billable,
            row.actual.invoiced,
            row.actual.prepaid,
            row.actual.unbilled,
        )
        for row in report.rows
    }


def test_hours_by_customer_split_billable_billed_prepaid_unbilled(story):
    report = hours_report(filters=AUTUMN, group_by="customer")
    # Globex: 3.00 prepaid (SO-A) + 2.50 + 1.25 billed on INV2 + 4.00 unbilled (SO-B).
    assert _hours(report) == {
        "Globex": (D("10.75"), D("10.75"), D("3.75"), D("3.00"), D("4.00")),
        "Initech": (D("1.50"), D("1.50"), D("0"), D("0"), D("1.50")),
        "(no customer)": (D("0.75"), D("0"), D("0"), D("0"), D("0")),
    }
    assert [row.label for row in report.rows] == ["Globex", "Initech", "(no customer)"]
    totals = report.totals.actual
    assert (totals.total, totals.billable, totals.non_billable) == (D("13.00"), D("12.25"), D("0.75"))
    assert (totals.invoiced, totals.prepaid, totals.unbilled) == (D("3.75"), D("3.00"), D("5.50"))
    assert report.totals.billed == totals  # no rounding rule in this story


def test_hours_by_employee_project_and_month(story):
    by_employee = hours_report(filters=AUTUMN, group_by="employee")
    # ana: 3.00 + 2.50 + 1.50; bob: 1.25 + 4.00 + 0.75.
    assert _hours(by_employee) == {
        "Ana Agent": (D("7.00"), D("7.00"), D("2.50"), D("3.00"), D("1.50")),
        "Bob Builder": (D("6.00"), D("5.25"), D("1.25"), D("0"), D("4.00")),
    }
    by_project = hours_report(filters=AUTUMN, group_by="project")
    assert {row.label: row.actual.total for row in by_project.rows} == {
        "Globex support": D("10.75"),
        "Initech support": D("1.50"),
        "Internal": D("0.75"),
    }
    by_month = hours_report(filters=AUTUMN, group_by="month")
    assert [(row.label, row.actual.total) for row in by_month.rows] == [
        ("2026-09", D("3.00")),
        ("2026-10", D("3.75")),
        ("2026-11", D("6.25")),
    ]


def test_hours_follow_the_date_range_and_the_customer(story):
    november = ReportFilters(date_from=datetime.date(2026, 11, 1), date_to=datetime.date(2026, 11, 30))
    assert hours_report(filters=november).totals.actual.total == D("6.25")  # 4.00 + 1.50 + 0.75
    globex_only = ReportFilters(
        date_from=AUTUMN.date_from, date_to=AUTUMN.date_to, customer_id=story.globex.pk
    )
    report = hours_report(filters=globex_only, group_by="employee")
    assert {row.label: row.actual.total for row in report.rows} == {
        "Ana Agent": D("5.50"),
        "Bob Builder": D("5.25"),
    }


def test_hours_of_one_employee_only(story):
    own = ReportFilters(date_from=AUTUMN.date_from, date_to=AUTUMN.date_to, employee_id=story.bob.pk)
    report = hours_report(filters=own, group_by="customer")
    assert {row.label: row.actual.total for row in report.rows} == {
        "Globex": D("5.25"),
        "(no customer)": D("0.75"),
    }


def test_unbilled_work_per_order_line(story):
    report = unbilled_work(filters=ReportFilters(date_to=TODAY))
    rows = [(row.order, row.hours, row.quantity, row.value) for row in report.rows]
    # SO-B 4.00 h × 100.00; SO-C 1.50 h × 100.00; SO-D credited, so its 2 h block is to invoice again.
    assert rows == [
        (story.orders["B"].name, D("4.00"), D("4.00"), D("400.00")),
        (story.orders["C"].name, D("1.50"), D("1.50"), D("150.00")),
        (story.orders["D"].name, None, D("2.00"), D("1000.00")),
    ]
    assert (report.hours, report.value, report.count) == (D("5.50"), D("1550.00"), 3)
    assert report.by_customer == [("Globex", D("400.00")), ("Initech", D("1150.00"))]


def test_unbilled_work_period_bounds_the_timesheet_hours(story):
    report = unbilled_work(filters=ReportFilters(date_from=datetime.date(2026, 11, 5), date_to=TODAY))
    # SO-B's 4.00 h (3 Nov) fall before the period; SO-D's prepaid block is not time.
    assert [(row.order, row.value) for row in report.rows] == [
        (story.orders["C"].name, D("150.00")),
        (story.orders["D"].name, D("1000.00")),
    ]
    globex = unbilled_work(filters=ReportFilters(date_to=TODAY, customer_id=story.globex.pk))
    assert globex.value == D("400.00")


def test_revenue_by_month_counts_credit_notes_negative(story):
    report = revenue_by_month(
        filters=ReportFilters(date_from=datetime.date(2026, 7, 1), date_to=datetime.date(2026, 11, 30))
    )
    assert [(r.label, r.documents, r.invoiced, r.credited, r.net, r.total) for r in report.rows] == [
        ("2026-07", 1, D("1000.00"), D("0"), D("1000.00"), D("1210.00")),
        ("2026-08", 0, D("0"), D("0"), D("0"), D("0")),
        ("2026-09", 1, D("5000.00"), D("0"), D("5000.00"), D("6050.00")),
        ("2026-10", 1, D("500.00"), D("0"), D("500.00"), D("605.00")),
        # INV2 375.00 (+78.75 tax) and RINV1 −1 000.00 (−210.00 tax).
        ("2026-11", 2, D("375.00"), D("-1000.00"), D("-625.00"), D("-756.25")),
    ]
    t = report.totals
    assert (t.documents, t.invoiced, t.credited, t.net) == (5, D("6875.00"), D("-1000.00"), D("5875.00"))
    assert (t.tax, t.total) == (D("1233.75"), D("7108.75"))


def test_aged_receivables_by_days_past_due(story):
    report = aged_receivables(filters=ReportFilters(date_to=TODAY))
    rows = {row.customer: row.buckets() for row in report.rows}
    zero = D("0")
    assert rows == {
        # INV1: 6 050.00 − 2 000.00 due 1 Oct (53 days); INV2 453.75 due 1 Dec (current).
        "Globex": [D("453.75"), zero, D("4050.00"), zero, zero],
        # INV4: 605.00 − 100.00 due 16 Oct (38 days). INV3 and its credit note cancel out (> 90).
        "Initech": [zero, zero, D("505.00"), zero, zero],
    }
    assert report.totals.total == D("5008.75")


def test_aged_receivables_on_an_earlier_day_ignore_later_documents_and_payments(story):
    report = aged_receivables(filters=ReportFilters(date_to=datetime.date(2026, 10, 31)))
    rows = {row.customer: row.buckets() for row in report.rows}
    zero = D("0")
    assert rows == {
        # INV1 30 days past due on 31 Oct; INV2 (1 Nov) does not exist yet.
        "Globex": [zero, D("4050.00"), zero, zero, zero],
        # INV4: the 100.00 payment of 1 Nov not yet received (15 days); INV3 (due 30 Jul) not
        # yet credited: 93 days.
        "Initech": [zero, D("605.00"), zero, zero, D("1210.00")],
    }


def test_prepaid_burndown_lines_and_months(story):
    report = prepaid_burndown(filters=ReportFilters(date_from=datetime.date(2026, 7, 1), date_to=TODAY))
    rows = [(row.order, row.sold, row.used, row.remaining) for row in report.rows]
    assert rows == [
        (story.orders["A"].name, D("10.00"), D("3.00"), D("7.00")),
        (story.orders["D"].name, D("2.00"), D("0"), D("2.00")),
        (story.orders["E"].name, D("1.00"), D("0"), D("1.00")),
    ]
    assert (report.sold, report.used, report.remaining) == (D("13.00"), D("3.00"), D("10.00"))
    assert report.count == 3
    assert [(p.label, p.sold, p.used) for p in report.points] == [
        ("2026-07", D("2.00"), D("0")),
        ("2026-08", D("2.00"), D("0")),
        ("2026-09", D("13.00"), D("3.00")),
        ("2026-10", D("13.00"), D("3.00")),
        ("2026-11", D("13.00"), D("3.00")),
    ]
    assert report.contracts_installed is True
    assert [row.contract for row in report.rows] == ["", "", ""]


def test_burndown_marks_the_lines_of_contract_periods(story, seller):
    contract = contract_create(
        user=seller,
        customer=story.globex,
        product=story.orders["A"].lines.get().product,
        hours_per_period=D("5"),
        start_date=datetime.date(2026, 11, 1),
    )
    period = contract.periods.get()
    report = prepaid_burndown(filters=ReportFilters(date_from=datetime.date(2026, 11, 1), date_to=TODAY))
    labelled = {row.line_id: row for row in report.rows if row.contract}
    assert list(labelled) == [period.order_line_id]
    row = labelled[period.order_line_id]
    assert row.contract == f"Contract #{contract.pk} · 2026-11-01 – 2026-11-30"
    assert (row.sold, row.used, row.remaining) == (D("5.00"), D("0"), D("5.00"))
