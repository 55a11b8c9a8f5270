"""Query counts pinned at two data sizes: the billing paths stay O(1) in the number of rows."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from invoicing import services as inv
from sales.models import OrderLine
from sales.services import order_lines_recompute
from tests.clock import TODAY, frozen_on
from tests.factories import ProductFactory
from timesheets import services as ts
from timesheets.models import TimesheetLine

pytestmark = [pytest.mark.django_db, frozen_on(TODAY)]


def add_timesheets(line, project, employee, count):
    """`count` timesheet lines in one INSERT (the bulk path recomputes explicitly)."""
    TimesheetLine.objects.bulk_create(
        TimesheetLine(
            date=TODAY - datetime.timedelta(days=i % 60),
            employee=employee,
            hours=Decimal("0.50"),
            project=project,
            sale_line=line,
        )
        for i in range(count)
    )
    order_lines_recompute(line_ids=[line.pk])


def count_queries(func):
    with CaptureQueriesContext(connection) as ctx:
        result = func()
    return len(ctx.captured_queries), result


@pytest.mark.parametrize("existing", [10, 2000])
def test_logging_time_takes_at_most_11_queries_whatever_the_history(
    make_order, timesheet_product, project, agent, existing, django_assert_max_num_queries
):
    _, line = make_order(timesheet_product, "10")
    add_timesheets(line, project, agent, existing)
    with django_assert_max_num_queries(11):  # 10 + the audit event's INSERT
        ts.timesheet_log(
            employee=agent, user=agent, date=TODAY, hours=Decimal("1"), project=project, sale_line=line
        )
    line.refresh_from_db()
    assert line.qty_delivered == Decimal(existing) / 2 + 1


def test_invoicing_2000_timesheet_lines_costs_what_invoicing_20_costs(
    make_order, timesheet_product, project, agent, seller
):
    counts = {}
    for size in (20, 2000):
        order, line = make_order(timesheet_product, "10")
        add_timesheets(line, project, agent, size)
        counts[size], invoice = count_queries(
            lambda order=order: inv.invoice_create_from_order(order=order, user=seller)
        )
        assert invoice.timesheets.count() == size
        assert invoice.lines.get().quantity == Decimal(size) / 2
    assert counts[20] == counts[2000] <= 20, counts


def test_invoicing_with_a_period_is_constant_too(make_order, timesheet_product, project, agent, seller):
    counts = {}
    for size in (20, 2000):
        order, line = make_order(timesheet_product, "10")
        add_timesheets(line, project, agent, size)
        counts[size], invoice = count_queries(
            lambda order=order: inv.invoice_create_from_order(
                order=order, user=seller, period_start=TODAY - datetime.timedelta(days=9), period_end=TODAY
            )
        )
        assert 0 < invoice.timesheets.count() < size
        assert invoice.lines.get().quantity == Decimal(invoice.timesheets.count()) / 2
    assert counts[20] == counts[2000], counts


def test_invoicing_an_order_of_2000_lines_costs_what_20_lines_cost(make_order, prepaid_product, seller):
    counts = {}
    for size in (20, 2000):
        order, first = make_order(prepaid_product, "1")
        OrderLine.objects.bulk_create(
            OrderLine(
                order=order,
                sequence=20 + i,
                product=prepaid_product,
                description=f"Block {i}",
                quantity=Decimal("1"),
                uom=first.uom,
                price_unit=Decimal("500.00"),
                price_subtotal=Decimal("500.00"),
                price_total=Decimal("500.00"),
            )
            for i in range(size - 1)
        )
        counts[size], invoice = count_queries(
            lambda order=order: inv.invoice_create_from_order(order=order, user=seller)
        )
        assert invoice.lines.count() == size
        assert invoice.amount_total == Decimal("500.00") * size
        order.refresh_from_db()
        assert order.invoice_status == "invoiced"
    assert counts[20] == counts[2000], counts


def test_posting_and_paying_are_constant(make_order, seller):
    product = ProductFactory(price=Decimal("10.00"))
    warm_up, _ = make_order(product, "1")  # the first posting of the year creates its sequence row
    inv.invoice_post(invoice=inv.invoice_create_from_order(order=warm_up, user=seller), user=seller)
    counts = {}
    for size in (1, 200):
        order, _ = make_order(product, str(size))
        invoice = inv.invoice_create_from_order(order=order, user=seller)
        posted, _ = count_queries(lambda invoice=invoice: inv.invoice_post(invoice=invoice, user=seller))
        paid, _ = count_queries(
            lambda invoice=invoice: inv.invoice_register_payment(
                invoice=invoice, amount=Decimal("1.00"), date=TODAY, user=seller
            )
        )
        counts[size] = (posted, paid)
    assert counts[1] == counts[200], counts
