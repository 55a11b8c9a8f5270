"""Every report answers in a fixed number of queries, whatever the size of the data."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from invoicing.models import Invoice
from reports.filters import ReportFilters
from reports.selectors import (
    aged_receivables,
    hours_report,
    prepaid_burndown,
    revenue_by_month,
    unbilled_work,
)
from sales.models import Order, Product
from tests.factories import (
    CustomerFactory,
    InvoiceFactory,
    OrderFactory,
    OrderLineFactory,
    PaymentFactory,
    ProductFactory,
    ProjectFactory,
    TimesheetLineFactory,
    UserFactory,
)

FILTERS = ReportFilters(date_from=datetime.date(2026, 1, 1), date_to=datetime.date(2026, 11, 23))
SIZES = [2, 12]


def build(size: int) -> None:
    """`size` customers, each with a prepaid and a post-paid order line, timesheets of `size`
    employees over several months, a posted invoice with a payment and a credit note."""
    prepaid = ProductFactory(name="Prepaid")
    hourly = ProductFactory(name="Hourly", timesheet=True)
    people = [UserFactory(roles=["agent"]) for _ in range(size)]
    for n in range(size):
        customer = CustomerFactory(name=f"Customer {n:02d}")
        project = ProjectFactory(customer=customer)
        order = OrderFactory(customer=customer, state=Order.State.SALE, order_date=datetime.date(2026, 2, 1))
        block = OrderLineFactory(order=order, product=prepaid, quantity=Decimal("10"))
        line = OrderLineFactory(
            order=order,
            product=hourly,
            invoice_policy=Product.InvoicePolicy.TIMESHEET,
            qty_to_invoice=Decimal("3"),
        )
        for month in range(3, 3 + size % 9 + 1):
            for person in people:
                for sale_line in (block, line, None):
                    TimesheetLineFactory(
                        employee=person,
                        project=project,
                        sale_line=sale_line,
                        date=datetime.date(2026, month, 5),
                    )
        invoice = InvoiceFactory(
            customer=customer,
            order=order,
            state=Invoice.State.POSTED,
            number=f"INV/2026/{n:05d}",
            invoice_date=datetime.date(2026, 1 + n % 10, 3),
            due_date=datetime.date(2026, 2 + n % 10, 2),
            amount_untaxed=Decimal("100.00"),
            amount_total=Decimal("121.00"),
        )
        PaymentFactory(invoice=invoice, amount=Decimal("21.00"), date=datetime.date(2026, 11, 1))
        InvoiceFactory(
            customer=customer,
            order=order,
            kind=Invoice.Kind.CREDIT_NOTE,
            reversed_invoice=invoice,
            state=Invoice.State.POSTED,
            number=f"RINV/2026/{n:05d}",
            invoice_date=datetime.date(2026, 11, 2),
            due_date=datetime.date(2026, 11, 2),
            amount_untaxed=Decimal("50.00"),
            amount_total=Decimal("60.50"),
        )


def _count(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


SELECTORS = {
    "hours by customer": (lambda: hours_report(filters=FILTERS, group_by="customer"), 2),
    "hours by employee": (lambda: hours_report(filters=FILTERS, group_by="employee"), 2),
    "hours by project": (lambda: hours_report(filters=FILTERS, group_by="project"), 2),
    "hours by month": (lambda: hours_report(filters=FILTERS, group_by="month"), 1),
    "unbilled": (lambda: unbilled_work(filters=FILTERS), 1),
    "revenue": (lambda: revenue_by_month(filters=FILTERS), 1),
    "receivables": (lambda: aged_receivables(filters=FILTERS), 1),
    "burndown": (lambda: prepaid_burndown(filters=FILTERS), 2),  # + contract periods
}


@pytest.mark.parametrize("size", SIZES)
def test_selectors_run_a_fixed_number_of_queries(db, size):
    build(size)
    counts = {name: _count(call) for name, (call, _) in SELECTORS.items()}
    assert counts == {name: expected for name, (_, expected) in SELECTORS.items()}
    assert len(hours_report(filters=FILTERS).rows) == size


# Session, user, roles, the header widget (open activities of a sales user), then the report's
# own queries (1 or 2). The customer filter is a search field: no query for its choices.
PAGES = {"hours": 7, "unbilled": 6, "revenue": 6, "receivables": 6, "burndown": 7}


@pytest.mark.parametrize("size", SIZES)
def test_pages_run_a_fixed_number_of_queries(client, seller, size):
    build(size)
    client.force_login(seller)
    counts = {}
    for slug in PAGES:
        url = reverse(f"reports:{slug}")
        counts[slug] = _count(
            lambda url=url: client.get(url, {"date_from": "2026-01-01", "date_to": "2026-11-23"})
        )
        counts[f"{slug} csv"] = _count(
            lambda url=url: client.get(
                url, {"date_from": "2026-01-01", "date_to": "2026-11-23", "format": "csv"}
            )
        )
    expected = {}
    for slug, queries in PAGES.items():
        expected[slug] = queries
        expected[f"{slug} csv"] = queries
    assert counts == expected
