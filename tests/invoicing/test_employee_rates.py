"""Employee rates (SPEC Time policy): an hourly rate per employee on a post-paid order line (or
the project) overrides the line's unit price for that employee's hours; the invoice bills one line
per rate with its timesheet lines under it; delivered quantities stay in hours."""

import datetime
from decimal import Decimal

import pytest

from invoicing.services import invoice_cancel, invoice_create_from_order
from projects.models import EmployeeRate
from sales import services as sales
from tests.clock import frozen_on
from tests.factories import CustomerFactory, ProductFactory, ProjectFactory, UserFactory, uom
from timesheets import services as timesheets

pytestmark = [pytest.mark.django_db, frozen_on(datetime.date(2026, 3, 12))]

D = Decimal
DAY = datetime.date(2026, 3, 10)


@pytest.fixture
def agents():
    return {
        name: UserFactory(username=name.lower(), first_name=name, last_name="Doe", roles=["agent"])
        for name in ("Ada", "Bob", "Carl")
    }


def post_paid(unit="Hours"):
    customer = CustomerFactory()
    seller = UserFactory(username="seller", roles=["sales"])
    order = sales.order_create(
        customer=customer,
        user=seller,
        lines=[
            {
                "product": ProductFactory(timesheet=True, price=D("100.00")),
                "quantity": D("10"),
                "uom": uom(unit),
            }
        ],
    )
    sales.order_confirm(order=order, user=seller)
    return order.lines.get(), ProjectFactory(customer=customer)


def log(line, project, employee, hours):
    return timesheets.timesheet_log(
        employee=employee, date=DAY, hours=D(hours), user=employee, project=project, sale_line=line
    )


def test_the_invoice_bills_one_line_per_rate_with_its_timesheets(agents, client, accountant):
    line, project = post_paid()
    EmployeeRate.objects.create(employee=agents["Ada"], sale_line=line, hourly_rate=D("150.00"))
    EmployeeRate.objects.create(employee=agents["Carl"], project=project, hourly_rate=D("120.00"))
    ada = log(line, project, agents["Ada"], "2")
    log(line, project, agents["Bob"], "3")
    log(line, project, agents["Carl"], "1")
    line.refresh_from_db()
    assert line.qty_delivered == D("6")  # hours, whatever the rates

    invoice = invoice_create_from_order(order=line.order, user=None)
    billed = [
        (il.description, il.quantity, il.price_unit, il.subtotal) for il in invoice.lines.order_by("sequence")
    ]
    name = line.description
    assert billed == [
        (f"{name} – Bob Doe", D("3"), D("100.00"), D("300.00")),
        (f"{name} – Carl Doe at 120.00/h", D("1"), D("120.00"), D("120.00")),
        (f"{name} – Ada Doe at 150.00/h", D("2"), D("150.00"), D("300.00")),
    ]
    assert invoice.amount_untaxed == D("720.00")
    ada.refresh_from_db()
    assert ada.invoice_line.description.endswith("at 150.00/h")
    line.refresh_from_db()
    assert (line.qty_invoiced, line.qty_to_invoice) == (D("6"), D("0"))

    client.force_login(accountant)
    page = client.get(f"/invoicing/invoices/{invoice.pk}/").content.decode()
    assert page.index("Carl Doe at 120.00/h") < page.index("Ada Doe at 150.00/h")

    invoice_cancel(invoice=invoice, user=accountant)
    ada.refresh_from_db()
    assert (ada.invoice_id, ada.invoice_line_id) == (None, None)


def test_a_rate_per_hour_applies_to_a_line_sold_in_days(agents):
    line, project = post_paid(unit="Days")
    EmployeeRate.objects.create(employee=agents["Ada"], sale_line=line, hourly_rate=D("150.00"))
    log(line, project, agents["Ada"], "4")
    invoice = invoice_create_from_order(order=line.order, user=None)
    billed = invoice.lines.get()
    assert (billed.quantity, billed.price_unit, billed.subtotal) == (D("0.5"), D("1200.00"), D("600.00"))


def test_the_line_rate_wins_over_the_project_rate(agents):
    line, project = post_paid()
    EmployeeRate.objects.create(employee=agents["Ada"], sale_line=line, hourly_rate=D("150.00"))
    EmployeeRate.objects.create(employee=agents["Ada"], project=project, hourly_rate=D("90.00"))
    log(line, project, agents["Ada"], "1")
    assert invoice_create_from_order(order=line.order, user=None).lines.get().price_unit == D("150.00")


def test_without_rates_the_invoice_keeps_one_line(agents):
    line, project = post_paid()
    log(line, project, agents["Ada"], "1")
    log(line, project, agents["Bob"], "2")
    invoice = invoice_create_from_order(order=line.order, user=None)
    assert [(il.description, il.quantity) for il in invoice.lines.all()] == [(line.description, D("3"))]


def test_rates_through_the_api(agents, api_as, seller, agent):
    line, project = post_paid()
    body = {"employee": agents["Ada"].pk, "sale_line": line.pk, "hourly_rate": "150.00"}
    assert api_as(agent).post("/api/v1/employee-rates/", body, format="json").status_code == 403
    created = api_as(seller).post("/api/v1/employee-rates/", body, format="json")
    assert created.status_code == 201
    again = api_as(seller).post("/api/v1/employee-rates/", body, format="json")
    assert again.status_code == 400
    both = {**body, "employee": agents["Bob"].pk, "project": project.pk}
    assert "sale_line" in api_as(seller).post("/api/v1/employee-rates/", both, format="json").json()
