"""Fixtures of the billing tests: products, confirmed orders built through the services."""

import datetime
from decimal import Decimal

import pytest

from sales import services as sales
from tests.clock import on_day
from tests.factories import (
    CustomerFactory,
    ProductFactory,
    ProjectFactory,
    TaxFactory,
    TeamFactory,
    TicketFactory,
    UserFactory,
    uom,
)

# The billing tests speak of one calendar day: every test here runs with the clock frozen on it
# (ticking, so timestamps still advance), whatever day the suite runs.
TODAY = datetime.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _billing_day():
    with on_day(TODAY):
        yield


@pytest.fixture
def seller(db):
    return UserFactory(username="seller", roles=["sales"])


@pytest.fixture
def worker(db):
    return UserFactory(username="worker", roles=["agent"])


@pytest.fixture
def customer(db):
    return CustomerFactory(name="Globex", payment_term_days=30)


@pytest.fixture
def hours(db):
    return uom("Hours")


@pytest.fixture
def days(db):
    return uom("Days")


@pytest.fixture
def prepaid_product(db):
    """Prepaid support sold by the hour at 500.00/h (a 50 h block costs 25 000.00)."""
    return ProductFactory(name="Prepaid support", price=Decimal("500.00"))


@pytest.fixture
def timesheet_product(db):
    """Post-paid "Service on Timesheets" at 100.00/h."""
    return ProductFactory(name="Service on Timesheets", timesheet=True, price=Decimal("100.00"))


@pytest.fixture
def vat20(db):
    return TaxFactory(name="VAT 20%", rate=Decimal("20.000"))


@pytest.fixture
def make_order(db, seller, customer):
    """make_order(product, quantity, confirm=True, **line kwargs) → (order, line)."""

    def build(product, quantity, *, confirm=True, customer=customer, **line):
        order = sales.order_create(
            customer=customer,
            user=seller,
            order_date=TODAY,
            lines=[{"product": product, "quantity": Decimal(quantity), **line}],
        )
        if confirm:
            sales.order_confirm(order=order, user=seller)
        order.refresh_from_db()
        return order, order.lines.get()

    return build


@pytest.fixture
def project(db, customer):
    return ProjectFactory(name="Globex support", customer=customer)


@pytest.fixture
def ticket(db, customer, worker):
    team = TeamFactory(name="Support")
    team.members.add(worker)  # agents log time on tickets of their own teams
    return TicketFactory(team=team, customer=customer, title="Printer on fire")
