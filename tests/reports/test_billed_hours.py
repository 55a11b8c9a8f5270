"""Billed duration in the reports (SPEC Time policy): a customer whose lines are rounded up to
15 minutes with a 30-minute minimum, so billed ≠ actual. Figures worked out by hand:

Rounder (15-minute steps, 30 minutes at least), ordered 2026-10-01
- SO-R1 post-paid 100.00/h: ana 2026-11-02 1.10 h → billed 1.25; ana 2026-11-09 0.05 h → 0.50
- SO-R2 prepaid 10 h × 90.00: bob 2026-11-03 0.40 h → billed 0.50
- bob 2026-11-04 0.10 h on an internal project (not billable: no rounding, 0.10)
"""

import datetime
from decimal import Decimal

import pytest

from invoicing import services as invoicing
from reports.filters import ReportFilters
from reports.selectors import hours_report, prepaid_burndown, unbilled_work
from sales import services as sales
from tests.factories import CustomerFactory, ProductFactory, ProjectFactory, UserFactory
from timesheets.services import timesheet_log

from .conftest import TODAY

D = Decimal
NOVEMBER = ReportFilters(date_from=datetime.date(2026, 11, 1), date_to=TODAY)
NOVEMBER_URL = {"date_from": "2026-11-01", "date_to": "2026-11-23"}


@pytest.fixture
def rounded(db, seller):
    customer = CustomerFactory(name="Rounder", billable_rounding_minutes=15, billable_minimum_minutes=30)
    hourly = ProductFactory(name="Hourly", timesheet=True, price=D("100.00"))
    block = ProductFactory(name="Block", price=D("90.00"))
    orders = {}
    for name, product, quantity in (("R1", hourly, "0"), ("R2", block, "10")):
        order = sales.order_create(
            customer=customer,
            user=seller,
            order_date=datetime.date(2026, 10, 1),
            lines=[{"product": product, "quantity": D(quantity)}],
        )
        sales.order_confirm(order=order, user=seller)
        orders[name] = order
    ana = UserFactory(username="ana", first_name="Ana", last_name="Agent", roles=["agent"])
    bob = UserFactory(username="bob", first_name="Bob", last_name="Builder", roles=["agent"])
    project = ProjectFactory(name="Rounder support", customer=customer)
    internal = ProjectFactory(name="Internal", customer=None, billable=False)
    for employee, day, hours, where, order in [
        (ana, 2, "1.10", project, "R1"),
        (ana, 9, "0.05", project, "R1"),
        (bob, 3, "0.40", project, "R2"),
        (bob, 4, "0.10", internal, None),
    ]:
        timesheet_log(
            employee=employee,
            user=employee,
            date=datetime.date(2026, 11, day),
            hours=D(hours),
            project=where,
            sale_line=orders[order].lines.get() if order else None,
        )
    return orders


def _pairs(row) -> dict:
    names = ("total", "billable", "invoiced", "prepaid", "unbilled")
    return {name: (getattr(row.actual, name), getattr(row.billed, name)) for name in names}


@pytest.mark.parametrize("group_by", ["customer", "month"])
def test_hours_show_actual_and_billed_hours(rounded, group_by):
    report = hours_report(filters=NOVEMBER, group_by=group_by)
    rows = {row.label: row for row in report.rows}
    expected = {
        "total": (D("1.55"), D("2.25")),  # 1.10 + 0.05 + 0.40 / 1.25 + 0.50 + 0.50
        "billable": (D("1.55"), D("2.25")),
        "invoiced": (D("0"), D("0")),
        "prepaid": (D("0.40"), D("0.50")),
        "unbilled": (D("1.15"), D("1.75")),
    }
    if group_by == "customer":
        assert _pairs(rows["Rounder"]) == expected
        assert _pairs(rows["(no customer)"])["total"] == (D("0.10"), D("0.10"))
    totals = _pairs(report.totals)
    assert totals["total"] == (D("1.65"), D("2.35"))
    assert totals["unbilled"] == expected["unbilled"]
    assert report.totals.actual.non_billable == report.totals.billed.non_billable == D("0.10")


def test_unbilled_work_bills_the_billed_duration_and_reconciles_with_the_invoice(rounded, accountant):
    for date_from, hours, actual in ((None, "1.75", "1.15"), (datetime.date(2026, 11, 5), "0.50", "0.05")):
        filters = ReportFilters(date_from=date_from, date_to=TODAY)
        row = next(r for r in unbilled_work(filters=filters).rows if r.order_id == rounded["R1"].pk)
        assert (row.hours, row.actual_hours, row.quantity) == (D(hours), D(actual), D(hours))
        assert row.value == D(hours) * 100
        invoice = invoicing.invoice_create_from_order(
            order=rounded["R1"], user=accountant, period_start=date_from, period_end=TODAY
        )
        assert invoice.amount_untaxed == row.value
        invoicing.invoice_cancel(invoice=invoice, user=accountant)


def test_burndown_uses_the_billed_duration(rounded):
    report = prepaid_burndown(filters=NOVEMBER)
    (row,) = report.rows
    assert (row.sold, row.used, row.used_actual, row.remaining) == (
        D("10.00"),
        D("0.50"),
        D("0.40"),
        D("9.50"),
    )
    line = rounded["R2"].lines.get()
    line.refresh_from_db()
    assert row.remaining == line.quantity - line.qty_delivered  # the line's own remaining hours
    assert [(p.label, p.used) for p in report.points] == [("2026-11", D("0.50"))]


def test_csv_has_both_figures(client, rounded, seller):
    client.force_login(seller)
    response = client.get(
        "/reports/hours/",
        {"date_from": "2026-11-01", "date_to": "2026-11-23", "by": "customer", "format": "csv"},
    )
    header, *rows = [line.split(",") for line in response.content.decode().splitlines()]
    assert header[:5] == ["Customer", "Total h", "Total billed h", "Billable h", "Billable billed h"]
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert (by_name["Rounder"]["Unbilled h"], by_name["Rounder"]["Unbilled billed h"]) == ("1.15", "1.75")
    assert (by_name["Total"]["Total h"], by_name["Total"]["Total billed h"]) == ("1.65", "2.35")
    page = client.get(
        "/reports/hours/", {"date_from": "2026-11-01", "date_to": "2026-11-23"}
    ).content.decode()
    assert "billed 1.75" in page
