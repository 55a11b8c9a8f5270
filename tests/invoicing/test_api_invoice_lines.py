"""PUT/PATCH /api/v1/invoices/{id}/ lines: adjusting the lines of a draft invoice, frozen once posted."""

import datetime
from decimal import Decimal

import pytest

from core.errors import DomainError
from invoicing import services as invoicing
from invoicing.models import Invoice
from sales import services as sales
from sales.models import OrderLine
from tests.factories import CustomerFactory, ProductFactory, ProjectFactory, TaxFactory
from timesheets.models import TimesheetLine
from timesheets.services import timesheet_log

pytestmark = pytest.mark.django_db


# --- Draft invoice lines (PUT/PATCH lines) ------------------------------------------------


def test_accountant_adjusts_the_price_and_adds_a_free_line_to_a_draft(
    client_for, accountant, draft_invoice_data
):
    billed = draft_invoice_data["lines"][0]
    vat = TaxFactory(name="VAT 21%", rate=Decimal("21.000"))

    response = client_for(accountant).patch(
        f"/api/v1/invoices/{draft_invoice_data['id']}/",
        {
            "lines": [
                {"id": billed["id"], "price_unit": "90.00", "quantity": billed["quantity"]},
                {"description": "Travel costs", "quantity": "1", "price_unit": "40.00", "tax": vat.pk},
            ]
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert [(line["description"], line["subtotal"]) for line in body["lines"]] == [
        ("Prepaid", "900.00"),
        ("Travel costs", "40.00"),
    ]
    assert (body["amount_untaxed"], body["amount_tax"], body["amount_total"]) == ("940.00", "8.40", "948.40")


def test_quantity_of_a_line_billed_from_the_order_cannot_change(client_for, accountant, draft_invoice_data):
    billed = draft_invoice_data["lines"][0]

    response = client_for(accountant).patch(
        f"/api/v1/invoices/{draft_invoice_data['id']}/",
        {"lines": [{"id": billed["id"], "quantity": "3"}]},
        format="json",
    )

    assert response.status_code == 400
    assert "change the order instead" in response.json()["lines[0]"][0]
    assert Invoice.objects.get(pk=draft_invoice_data["id"]).amount_untaxed == Decimal("1000.00")


def test_removing_every_line_is_refused_and_nothing_changes(client_for, accountant, draft_invoice_data):
    response = client_for(accountant).patch(
        f"/api/v1/invoices/{draft_invoice_data['id']}/",
        {"invoice_date": "2026-11-30", "lines": []},
        format="json",
    )

    assert response.status_code == 400
    assert "at least one line" in response.json()["lines"][0]
    invoice = Invoice.objects.get(pk=draft_invoice_data["id"])
    assert (invoice.invoice_date, invoice.lines.count()) == (None, 1)


def test_a_bad_new_line_is_a_field_error(client_for, accountant, draft_invoice_data):
    billed = draft_invoice_data["lines"][0]

    response = client_for(accountant).patch(
        f"/api/v1/invoices/{draft_invoice_data['id']}/",
        {"lines": [{"id": billed["id"]}, {"description": "Cable", "quantity": "-2", "price_unit": "5"}]},
        format="json",
    )

    assert response.status_code == 400
    assert "lines[1].quantity" in response.json()


def test_lines_of_a_posted_invoice_are_frozen(client_for, accountant, posted_invoice_data):
    response = client_for(accountant).patch(
        f"/api/v1/invoices/{posted_invoice_data['id']}/",
        {"lines": [{"description": "Extra", "quantity": "1", "price_unit": "1.00"}]},
        format="json",
    )

    assert response.status_code == 409
    assert Invoice.objects.get(pk=posted_invoice_data["id"]).lines.count() == 1


def test_sales_may_not_edit_invoice_lines(client_for, seller, draft_invoice_data):
    response = client_for(seller).patch(
        f"/api/v1/invoices/{draft_invoice_data['id']}/", {"lines": []}, format="json"
    )

    assert response.status_code == 403


def test_removing_a_timesheet_line_from_a_draft_releases_its_hours(seller, agent):
    hooli = CustomerFactory(name="Hooli")
    product = ProductFactory(name="Service on Timesheets", timesheet=True, price=Decimal("100.00"))
    order = sales.order_create(customer=hooli, user=seller, lines=[{"product": product, "quantity": 1}])
    sales.order_confirm(order=order, user=seller)
    sale_line = order.lines.get()
    project = ProjectFactory(customer=hooli, sale_line=sale_line)
    timesheet_log(
        employee=agent,
        date=datetime.date(2026, 11, 20),
        hours=Decimal("2"),
        project=project,
        sale_line=sale_line,
        user=agent,
    )
    invoice = invoicing.invoice_create_from_order(order=order, user=seller)
    billed = invoice.lines.get(sale_line=sale_line)
    assert TimesheetLine.objects.get().invoice == invoice

    with pytest.raises(DomainError):
        invoicing.invoice_lines_update(invoice=invoice, user=seller, lines=[])
    invoicing.invoice_lines_update(
        invoice=invoice,
        user=seller,
        lines=[{"description": "Goodwill gesture", "quantity": Decimal("1"), "price_unit": Decimal("0")}],
    )

    assert not invoice.lines.filter(pk=billed.pk).exists()
    assert TimesheetLine.objects.get().invoice is None
    line = OrderLine.objects.get(pk=sale_line.pk)
    assert (line.qty_invoiced, line.qty_to_invoice, line.invoice_status) == (
        Decimal("0"),
        Decimal("2"),
        "to_invoice",
    )


def test_replacing_draft_lines_costs_the_same_queries_for_2_or_20_lines(draft_invoice_data, accountant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    invoice = Invoice.objects.get(pk=draft_invoice_data["id"])
    billed_id = draft_invoice_data["lines"][0]["id"]

    def replace_with(extra_lines: int) -> int:
        # Each measured call starts from the same state: the billed line alone.
        invoicing.invoice_lines_update(invoice=invoice, user=accountant, lines=[{"id": billed_id}])
        lines = [{"id": billed_id}] + [
            {"description": f"Extra {i}", "quantity": Decimal("1"), "price_unit": Decimal("10.00")}
            for i in range(extra_lines)
        ]
        with CaptureQueriesContext(connection) as queries:
            invoicing.invoice_lines_update(invoice=invoice, user=accountant, lines=lines)
        return len(queries)

    assert replace_with(2) == replace_with(20)
    invoice.refresh_from_db()
    assert (invoice.lines.count(), invoice.amount_untaxed) == (21, Decimal("1200.00"))
