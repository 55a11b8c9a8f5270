"""SPEC Units of measure: conversions are exact; no amount is computed from a rounded quantity.
The one recompute path gives the same figures from scratch (tests/sales runs it on SQLite too)."""

from decimal import Decimal

import pytest

from core.money import format_qty
from core.units import convert_quantity, hours_to_unit
from invoicing import services as inv
from sales.models import OrderLine, Product, Uom
from sales.services import quantities
from tests.clock import TODAY, frozen_on
from tests.factories import ProductFactory, uom
from timesheets import services as ts

pytestmark = [pytest.mark.django_db, frozen_on(TODAY)]

D = Decimal


@pytest.fixture
def week(db):
    return Uom.objects.create(name="Week (40 h)", category=uom("Hours").category, ratio=D("40"))


def log(agent, hours, line, project):
    return ts.timesheet_log(
        employee=agent, user=agent, date=TODAY, hours=D(hours), project=project, sale_line=line
    )


def test_convert_quantity_is_exact_for_quarter_hours(hours, days, week):
    assert convert_quantity(D("13"), hours, days) == D("1.625")
    assert convert_quantity(D("0.25"), hours, week) == D("0.00625")
    assert hours_to_unit(D("0.25"), days) == D("0.03125")
    assert convert_quantity(D("1.625"), days, hours) == D("13")


def test_postpaid_13_hours_on_a_line_sold_per_day_bills_1300(make_order, agent, project, days, seller):
    product = ProductFactory(
        name="Consulting day", invoice_policy=Product.InvoicePolicy.TIMESHEET, uom=days, price=D("800.00")
    )
    order, line = make_order(product, "5")
    log(agent, "8", line, project)
    log(agent, "5", line, project)
    line.refresh_from_db()
    assert (line.qty_delivered, line.qty_to_invoice) == (D("1.625"), D("1.625"))

    invoice = inv.invoice_create_from_order(order=order, user=seller)

    billed = invoice.lines.get()
    assert (billed.quantity, billed.subtotal, invoice.amount_total) == (
        D("1.625"),
        D("1300.00"),
        D("1300.00"),
    )
    line.refresh_from_db()
    assert (line.qty_invoiced, line.qty_to_invoice, line.invoice_status) == (D("1.625"), D("0"), "no")


def test_a_timesheet_period_bills_the_exact_part_of_the_time(make_order, agent, project, days, seller):
    product = ProductFactory(
        name="Consulting day", invoice_policy=Product.InvoicePolicy.TIMESHEET, uom=days, price=D("800.00")
    )
    order, line = make_order(product, "5")
    log(agent, "13", line, project)
    ts.timesheet_log(
        employee=agent,
        user=agent,
        date=TODAY.replace(day=1),
        hours=D("3"),
        project=project,
        sale_line=line,
    )

    invoice = inv.invoice_create_from_order(order=order, user=seller, period_start=TODAY)

    assert (invoice.lines.get().quantity, invoice.amount_total) == (D("1.625"), D("1300.00"))


def test_prepaid_consumption_is_exact_in_days_and_weeks(make_order, agent, project, days, week):
    per_day = ProductFactory(name="Prepaid days", uom=days, price=D("800.00"))
    per_week = ProductFactory(name="Prepaid weeks", uom=week, price=D("4000.00"))
    _, day_line = make_order(per_day, "10")
    _, week_line = make_order(per_week, "1")
    log(agent, "13", day_line, project)
    log(agent, "0.25", week_line, project)

    day_line.refresh_from_db()
    week_line.refresh_from_db()
    assert day_line.qty_delivered == D("1.625")
    assert week_line.qty_delivered == D("0.00625")
    assert (day_line.remaining_hours, week_line.remaining_hours) == (D("67.00"), D("39.75"))


def test_the_api_answers_exact_quantities(make_order, agent, project, days, client, seller):
    product = ProductFactory(
        name="Consulting day", invoice_policy=Product.InvoicePolicy.TIMESHEET, uom=days, price=D("800.00")
    )
    order, line = make_order(product, "5")
    log(agent, "13", line, project)
    invoice = inv.invoice_create_from_order(order=order, user=seller)
    client.force_login(seller)

    order_body = client.get(f"/api/v1/orders/{order.pk}/").json()
    invoice_body = client.get(f"/api/v1/invoices/{invoice.pk}/").json()

    assert order_body["lines"][0]["qty_delivered"] == "1.625"
    assert order_body["lines"][0]["qty_invoiced"] == "1.625"
    assert (invoice_body["lines"][0]["quantity"], invoice_body["amount_total"]) == ("1.625", "1300.00")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (D("3.750000"), "3.75"),
        (D("1.625000"), "1.625"),
        (D("0.006250"), "0.00625"),
        (D("0"), "0.00"),
        (D("-2.5"), "-2.50"),
        (D("100"), "100.00"),
    ],
)
def test_quantities_are_shown_as_stored_with_two_decimals_at_least(value, shown):
    assert format_qty(value) == shown


def test_recompute_gives_exact_figures(make_order, agent, project, days, week, timesheet_product, seller):
    per_day = ProductFactory(
        name="Consulting day", invoice_policy=Product.InvoicePolicy.TIMESHEET, uom=days, price=D("800.00")
    )
    per_week = ProductFactory(name="Prepaid weeks", uom=week, price=D("4000.00"))
    order, day_line = make_order(per_day, "5")
    _, week_line = make_order(per_week, "1")
    _, hour_line = make_order(timesheet_product, "10")
    for hours, line in [("13", day_line), ("0.25", week_line), ("0.75", week_line), ("2.5", hour_line)]:
        log(agent, hours, line, project)
    inv.invoice_create_from_order(order=order, user=seller)
    ids = [day_line.pk, week_line.pk, hour_line.pk]
    fields = ("qty_delivered", "qty_invoiced", "qty_to_invoice", "invoice_status")

    def figures():
        return list(OrderLine.objects.filter(pk__in=ids).order_by("pk").values_list(*fields))

    left_by_the_actions = figures()
    OrderLine.objects.filter(pk__in=ids).update(qty_delivered=0, qty_invoiced=0, qty_to_invoice=0)
    quantities.order_lines_recompute(line_ids=ids)
    assert figures() == left_by_the_actions
    assert left_by_the_actions == [
        (D("1.625"), D("1.625"), D("0"), "no"),
        (D("0.025"), D("0"), D("1"), "to_invoice"),
        (D("2.5"), D("0"), D("2.5"), "to_invoice"),
    ]
