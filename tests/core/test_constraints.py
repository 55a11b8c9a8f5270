"""The database itself refuses impossible rows, even when code bypasses the services."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from helpdesk.models import Team
from invoicing.models import Invoice
from sales.models import Product, Tax, Uom
from tests.factories import (
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    TaxFactory,
    TicketFactory,
    TimerFactory,
    TimesheetLineFactory,
    uom,
)
from timesheets.models import Timer, TimesheetLine

pytestmark = pytest.mark.django_db


def refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


@pytest.mark.parametrize("hours", ["-1.00", "0.00", "25.00", "24.01"])
def test_timesheet_line_hours_outside_0_to_24_are_refused_by_the_database(hours):
    line = TimesheetLineFactory()
    refused(lambda: TimesheetLine.objects.filter(pk=line.pk).update(hours=Decimal(hours)))
    refused(
        lambda: TimesheetLine.objects.create(
            date=datetime.date.today(), employee=line.employee, project=line.project, hours=Decimal(hours)
        )
    )


def test_timesheet_line_of_24_hours_is_accepted():
    assert TimesheetLineFactory(hours=Decimal("24.00")).pk


def test_negative_product_price_is_refused_by_the_database():
    refused(lambda: ProductFactory(price=Decimal("-0.01")))


def test_goods_with_a_service_policy_are_refused_by_the_database():
    refused(lambda: ProductFactory(type=Product.Type.GOODS, invoice_policy=Product.InvoicePolicy.PREPAID))


def test_tax_rate_above_100_percent_is_refused_by_the_database():
    refused(lambda: Tax.objects.create(name="Too much", rate=Decimal("100.001")))
    assert TaxFactory(rate=Decimal("100.000")).pk


def test_team_with_billing_but_without_timesheets_is_refused_by_the_database():
    refused(lambda: Team.objects.create(name="Billing only", use_billing=True, use_timesheets=False))


def test_team_with_timesheets_but_without_project_is_refused_by_the_database():
    refused(lambda: Team.objects.create(name="No project", use_timesheets=True, project=None))


def test_two_running_timers_for_one_user_are_refused_by_the_database():
    first = TimerFactory()
    ticket = TicketFactory()
    refused(
        lambda: Timer.objects.create(
            user=first.user, ticket=ticket, state=Timer.State.RUNNING, running_since=timezone.now()
        )
    )
    # A paused timer beside the running one is fine.
    assert Timer.objects.create(user=first.user, ticket=ticket, state=Timer.State.PAUSED).pk


def test_duplicate_order_number_is_refused_by_the_database():
    order = OrderFactory()
    refused(lambda: OrderFactory(name=order.name, customer=order.customer))


def test_order_line_discount_above_100_percent_is_refused_by_the_database():
    refused(lambda: OrderLineFactory(discount=Decimal("100.01")))


def test_unit_ratio_must_be_positive_in_the_database():
    refused(lambda: Uom.objects.create(name="Nothing", category=uom("Hours").category, ratio=Decimal("0")))


def test_posted_invoice_without_number_is_refused_by_the_database():
    customer = CustomerFactory()
    refused(lambda: Invoice.objects.create(customer=customer, state=Invoice.State.POSTED, number=None))
