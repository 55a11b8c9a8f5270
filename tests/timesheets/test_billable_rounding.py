"""Billable rounding (SPEC Time policy): per customer, overridable per product; the actual hours
are kept and the billed hours stored beside them drive delivered, remaining hours and invoices."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.units import billable_hours
from invoicing.services import invoice_create_from_order
from sales import services as sales
from sales.selectors import order_line_remaining_hours
from tests.clock import frozen_on
from tests.factories import CustomerFactory, ProductFactory, ProjectFactory, UserFactory
from timesheets import services as timesheets

pytestmark = [pytest.mark.django_db, frozen_on(datetime.date(2026, 3, 10))]

D = Decimal
DAY = datetime.date(2026, 3, 10)


@pytest.mark.parametrize(
    ("hours", "step", "minimum", "billed"),
    [
        ("1.10", 15, 0, "1.25"),  # 66 min → 75 min
        ("1.25", 15, 0, "1.25"),  # already on the step
        ("0.05", 15, 30, "0.50"),  # 3 min → 15 → at least 30
        ("0.40", 0, 30, "0.50"),  # no step, minimum only
        ("2.33", 0, 0, "2.33"),  # no rule
        ("0.10", 6, 0, "0.10"),  # 6 min step: 0.1 h is exact
        ("23.95", 60, 0, "24.00"),
    ],
)
def test_billable_hours(hours, step, minimum, billed):
    assert billable_hours(D(hours), step_minutes=step, minimum_minutes=minimum) == D(billed)


def confirmed_line(customer, product, quantity="10"):
    seller = UserFactory(username="seller", roles=["sales"])
    order = sales.order_create(
        customer=customer, user=seller, lines=[{"product": product, "quantity": D(quantity)}]
    )
    sales.order_confirm(order=order, user=seller)
    return order.lines.get()


def log(line, hours, employee=None):
    employee = employee or UserFactory(username="agent", roles=["agent"])
    return timesheets.timesheet_log(
        employee=employee,
        date=DAY,
        hours=D(hours),
        user=employee,
        project=ProjectFactory(customer=line.order.customer),
        sale_line=line,
    )


def test_prepaid_hours_are_consumed_by_the_billed_duration_and_the_actual_one_is_kept():
    customer = CustomerFactory(billable_rounding_minutes=15, billable_minimum_minutes=30)
    line = confirmed_line(customer, ProductFactory())
    ts = log(line, "1.10")
    assert (ts.hours, ts.billed_hours) == (D("1.10"), D("1.25"))
    log(line, "0.05")  # 3 minutes: billed at the 30 min minimum
    line.refresh_from_db()
    assert line.qty_delivered == D("1.75")
    assert order_line_remaining_hours(line=line) == D("8.25")


def test_a_product_overrides_the_customer_rule():
    customer = CustomerFactory(billable_rounding_minutes=15)
    line = confirmed_line(
        customer, ProductFactory(billable_rounding_minutes=6, billable_minimum_minutes=None)
    )
    assert log(line, "1.10").billed_hours == D("1.10")


def test_post_paid_invoices_bill_the_rounded_hours():
    customer = CustomerFactory(billable_rounding_minutes=30)
    line = confirmed_line(customer, ProductFactory(timesheet=True, price=D("100.00")))
    log(line, "1.10")  # → 1.50
    log(line, "0.25")  # → 0.50
    invoice = invoice_create_from_order(order=line.order, user=None)
    billed = invoice.lines.get()
    assert (billed.quantity, billed.subtotal) == (D("2.00"), D("200.00"))
    assert sorted(invoice.timesheets.values_list("hours", "billed_hours")) == [
        (D("0.25"), D("0.50")),
        (D("1.10"), D("1.50")),
    ]


def test_changing_the_rule_never_rewrites_logged_lines():
    customer = CustomerFactory(billable_rounding_minutes=30)
    line = confirmed_line(customer, ProductFactory(timesheet=True, price=D("100.00")))
    ts = log(line, "1.10")
    invoice_create_from_order(order=line.order, user=None)
    customer.billable_rounding_minutes = 60
    customer.save()
    sales.order_lines_recompute(line_ids=[line.pk])
    ts.refresh_from_db()
    line.refresh_from_db()
    assert (ts.billed_hours, line.qty_delivered, line.qty_invoiced) == (D("1.50"), D("1.50"), D("1.50"))
    # A new line follows the new rule.
    assert log(line, "1.10", employee=ts.employee).billed_hours == D("2.00")


def test_editing_the_hours_of_a_line_that_is_not_billed_rounds_them_again():
    customer = CustomerFactory(billable_rounding_minutes=15)
    line = confirmed_line(customer, ProductFactory())
    ts = log(line, "1.10")
    timesheets.timesheet_update(line=ts, user=ts.employee, hours=D("2.05"))
    ts.refresh_from_db()
    assert ts.billed_hours == D("2.25")


def test_a_step_that_is_not_a_multiple_of_three_minutes_is_refused():
    customer = CustomerFactory.build(billable_rounding_minutes=10)
    with pytest.raises(ValidationError) as error:
        customer.full_clean()
    assert "billable_rounding_minutes" in error.value.message_dict


def test_screens_csv_and_api_show_both_durations(client, api_as, accountant):
    customer = CustomerFactory(billable_rounding_minutes=15)
    line = confirmed_line(customer, ProductFactory(timesheet=True))
    ts = log(line, "1.10")
    client.force_login(accountant)
    page = client.get("/timesheets/").content.decode()
    assert "1.10" in page and "1.25" in page
    csv_text = b"".join(client.get("/timesheets/?format=csv").streaming_content).decode()
    assert "hours,billed_hours" in csv_text.splitlines()[0]
    assert ",1.10,1.25," in csv_text
    body = api_as(accountant).get(f"/api/v1/timesheets/{ts.pk}/").json()
    assert (body["hours"], body["billed_hours"]) == ("1.10", "1.25")
