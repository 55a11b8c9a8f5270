"""The reports agree with the invoices to the cent."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum

from invoicing import services as invoicing
from invoicing.models import Invoice
from projects.models import EmployeeRate, Project
from reports.filters import ReportFilters
from reports.selectors import aged_receivables, portable, revenue_by_month, unbilled_work
from sales import services as sales
from tests.factories import uom
from timesheets.services import timesheet_log

from .conftest import TODAY

D = Decimal

EVERYTHING = ReportFilters(date_from=datetime.date(2026, 1, 1), date_to=TODAY)


def _signed_sum(documents, field: str) -> Decimal:
    invoiced = documents.filter(kind=Invoice.Kind.INVOICE).aggregate(s=Sum(field))["s"] or Decimal("0")
    credited = documents.filter(kind=Invoice.Kind.CREDIT_NOTE).aggregate(s=Sum(field))["s"] or Decimal("0")
    return invoiced - credited


def test_revenue_totals_equal_the_posted_invoices(story):
    posted = Invoice.objects.filter(state=Invoice.State.POSTED)
    report = revenue_by_month(filters=EVERYTHING)
    assert report.totals.net == _signed_sum(posted, "amount_untaxed")
    assert report.totals.tax == _signed_sum(posted, "amount_tax")
    assert report.totals.total == _signed_sum(posted, "amount_total")
    assert report.totals.documents == posted.count()


def test_receivables_equal_what_the_invoices_say_is_due(story):
    posted = Invoice.objects.filter(state=Invoice.State.POSTED)
    due = sum(
        (inv.amount_due if inv.kind == Invoice.Kind.INVOICE else -inv.amount_due for inv in posted),
        Decimal("0"),
    )
    report = aged_receivables(filters=ReportFilters(date_to=TODAY))
    assert report.totals.total == due == Decimal("5008.75")
    for row in report.rows:
        mine = posted.filter(customer_id=row.customer_id)
        assert row.total == sum(
            (inv.amount_due if inv.kind == Invoice.Kind.INVOICE else -inv.amount_due for inv in mine),
            Decimal("0"),
        )


def test_unbilled_value_is_what_invoicing_each_order_bills(story, accountant):
    _reconcile_unbilled_with_invoices(story, accountant)


def test_with_employee_rates_too(rated_story, accountant):
    _reconcile_unbilled_with_invoices(rated_story, accountant)


def _reconcile_unbilled_with_invoices(story, accountant):
    period = ReportFilters(date_from=datetime.date(2026, 11, 1), date_to=TODAY)
    for filters in (ReportFilters(date_to=TODAY), period):
        report = unbilled_work(filters=filters)
        by_order: dict[int, Decimal] = {}
        for row in report.rows:
            by_order[row.order_id] = by_order.get(row.order_id, Decimal("0")) + row.value
        assert by_order
        for order_id, value in by_order.items():
            order = story.orders_by_id[order_id]
            invoice = invoicing.invoice_create_from_order(
                order=order, user=accountant, period_start=filters.date_from, period_end=filters.date_to
            )
            assert invoice.amount_untaxed == value, order.name
            invoicing.invoice_cancel(invoice=invoice, user=accountant)


@pytest.fixture
def rated_story(story, seller):
    """The story with employee rates (SPEC Time policy) on three post-paid lines:
    - SO-B (Globex, 100.00/h): Bob has a rate of 150.00/h on its line; Ana logs 2.00 h more
      (2026-11-05), billed at the line's price.
    - SO-C (Initech, 100.00/h): Ana has a rate of 120.00/h on the project "Initech support";
      she logs 1.00 h more there on 2026-10-28 (before the November period); Bob logs 0.50 h
      (2026-11-16) at the line's price.
    - SO-F (Initech, new): the same product sold in Days (8 h) at 800.00/day, 10 % discount;
      Ana 0.70 h (her project rate, 120.00/h = 960.00/day) and Bob 1.30 h on 2026-11-18.
    """
    b_line, c_line = story.orders["B"].lines.get(), story.orders["C"].lines.get()
    initech_project = Project.objects.get(name="Initech support")
    so_f = sales.order_create(
        customer=story.initech,
        user=seller,
        order_date=datetime.date(2026, 11, 1),
        lines=[{"product": c_line.product, "quantity": D("0"), "uom": uom("Days"), "discount": D("10")}],
    )
    sales.order_confirm(order=so_f, user=seller)
    f_line = so_f.lines.get()
    EmployeeRate.objects.create(employee=story.bob, sale_line=b_line, hourly_rate=D("150.00"))
    EmployeeRate.objects.create(employee=story.ana, project=initech_project, hourly_rate=D("120.00"))
    globex_project = Project.objects.get(name="Globex support")
    for employee, day, hours, project, line in [
        (story.ana, (2026, 11, 5), "2.00", globex_project, b_line),
        (story.ana, (2026, 10, 28), "1.00", initech_project, c_line),
        (story.bob, (2026, 11, 16), "0.50", initech_project, c_line),
        (story.ana, (2026, 11, 18), "0.70", initech_project, f_line),
        (story.bob, (2026, 11, 18), "1.30", initech_project, f_line),
    ]:
        timesheet_log(
            employee=employee,
            user=employee,
            date=datetime.date(*day),
            hours=D(hours),
            project=project,
            sale_line=line,
        )
    story.orders["F"] = so_f
    return story


# Worked by hand from `rated_story` (value per order, untaxed):
RATED_VALUES = {
    # B: Bob 4.00 h × 150.00 + Ana 2.00 h × 100.00 (both periods: all in November).
    # C: Ana (1.50 + 1.00) h × 120.00 + Bob 0.50 h × 100.00; November: Ana 1.50 h only.
    # F: Ana 0.70 h = 0.0875 day × 960.00 × 0.9 = 75.60; Bob 1.30 h = 0.1625 day × 800.00 × 0.9
    #    = 117.00.
    None: {"B": D("800.00"), "C": D("350.00"), "F": D("192.60")},
    datetime.date(2026, 11, 1): {"B": D("800.00"), "C": D("230.00"), "F": D("192.60")},
}


@pytest.mark.parametrize("date_from", list(RATED_VALUES))
def test_unbilled_value_with_employee_rates_is_what_the_invoices_bill(rated_story, accountant, date_from):
    filters = ReportFilters(date_from=date_from, date_to=TODAY)
    report = unbilled_work(filters=filters)
    rows = {row.order_id: row for row in report.rows}
    for name, expected in RATED_VALUES[date_from].items():
        row = rows[rated_story.orders[name].pk]
        assert (row.value, row.rated) == (expected, True), name
    orm = {row["line_id"]: (row["quantity"], row["value"]) for row in portable.unbilled_rows(filters=filters)}
    assert orm == {row.line_id: (row.quantity, row.value) for row in report.rows}
    for name in RATED_VALUES[date_from]:
        invoice = invoicing.invoice_create_from_order(
            order=rated_story.orders[name], user=accountant, period_start=date_from, period_end=TODAY
        )
        assert invoice.amount_untaxed == RATED_VALUES[date_from][name], name
        assert len({line.price_unit for line in invoice.lines.all()}) == 2  # one line per rate
        invoicing.invoice_cancel(invoice=invoice, user=accountant)
