"""End-to-end billing journeys through the API only, each role doing its own part."""

from decimal import Decimal

import pytest

from tests.factories import ProductFactory, TicketFactory

pytestmark = pytest.mark.django_db


def test_prepaid_50_hours_confirm_invoice_post_pay_partial_then_paid(
    client_for, seller, accountant, customer
):
    product = ProductFactory(name="Prepaid support 50 h", price=Decimal("90.00"))
    sales, books = client_for(seller), client_for(accountant)

    order = sales.post(
        "/api/v1/orders/",
        {"customer": customer.pk, "lines": [{"product": product.pk, "quantity": "50"}]},
        format="json",
    ).json()
    assert order["amount_total"] == "4500.00"
    confirmed = sales.post(f"/api/v1/orders/{order['id']}/confirm/").json()
    assert (confirmed["state"], confirmed["invoice_status"]) == ("sale", "to_invoice")
    assert confirmed["lines"][0]["remaining_hours"] == "50.00"

    invoice = sales.post(f"/api/v1/orders/{order['id']}/invoice/", {"method": "regular"}, format="json")
    assert invoice.status_code == 201
    invoice = invoice.json()
    assert (invoice["lines"][0]["quantity"], invoice["amount_total"]) == ("50.00", "4500.00")
    assert sales.get(f"/api/v1/orders/{order['id']}/").json()["invoice_status"] == "invoiced"

    assert sales.post(f"/api/v1/invoices/{invoice['id']}/post/").status_code == 403
    posted = books.post(f"/api/v1/invoices/{invoice['id']}/post/").json()
    assert posted["state"] == "posted"
    assert posted["number"].startswith("INV/")

    pay = {"date": "2026-11-20", "method": "bank_transfer", "reference": posted["number"]}
    partial = books.post(
        f"/api/v1/invoices/{invoice['id']}/pay/", {**pay, "amount": "1500.00"}, format="json"
    )
    assert (partial.json()["payment_state"], partial.json()["amount_due"]) == ("partial", "3000.00")
    paid = books.post(f"/api/v1/invoices/{invoice['id']}/pay/", {**pay, "amount": "3000.00"}, format="json")
    assert (paid.json()["payment_state"], paid.json()["amount_due"]) == ("paid", "0.00")
    over = books.post(f"/api/v1/invoices/{invoice['id']}/pay/", {**pay, "amount": "0.01"}, format="json")
    assert over.status_code == 400


def test_postpaid_nothing_to_invoice_then_timesheets_then_invoice_a_period(
    client_for, seller, accountant, agent, customer
):
    product = ProductFactory(name="Support on timesheets", timesheet=True, price=Decimal("100.00"))
    sales, desk = client_for(seller), client_for(agent)
    order = sales.post(
        "/api/v1/orders/",
        {"customer": customer.pk, "lines": [{"product": product.pk, "quantity": "40"}]},
        format="json",
    ).json()
    sales.post(f"/api/v1/orders/{order['id']}/confirm/")
    line_id = order["lines"][0]["id"]

    response = sales.post(f"/api/v1/orders/{order['id']}/invoice/", {"method": "regular"}, format="json")
    assert response.status_code == 400
    assert "nothing to invoice" in response.json()["detail"].lower()

    ticket = TicketFactory(customer=customer)
    ticket.team.members.add(agent)
    for day, hours in (("2026-10-30", "3.00"), ("2026-11-03", "1.25"), ("2026-11-10", "0.75")):
        logged = desk.post(
            "/api/v1/timesheets/",
            {"ticket": ticket.pk, "sale_line": line_id, "date": day, "hours": hours},
            format="json",
        )
        assert logged.status_code == 201, logged.json()
    line = sales.get(f"/api/v1/orders/{order['id']}/").json()["lines"][0]
    assert (line["qty_delivered"], line["qty_to_invoice"]) == ("5.00", "5.00")

    response = sales.post(
        f"/api/v1/orders/{order['id']}/invoice/",
        {"method": "regular", "period_start": "2026-11-01", "period_end": "2026-11-30"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    invoice = response.json()
    assert [row["quantity"] for row in invoice["lines"] if row["sale_line"] == line_id] == ["2.00"]
    assert invoice["amount_untaxed"] == "200.00"

    billed = desk.get("/api/v1/timesheets/", {"invoice": invoice["id"]}).json()["results"]
    assert sorted(row["hours"] for row in billed) == ["0.75", "1.25"]
    response = desk.patch(f"/api/v1/timesheets/{billed[0]['id']}/", {"hours": "8"}, format="json")
    assert response.status_code == 409
    assert desk.delete(f"/api/v1/timesheets/{billed[0]['id']}/").status_code == 409

    # Cancelling the draft releases the lines: they can be edited again.
    assert client_for(accountant).post(f"/api/v1/invoices/{invoice['id']}/cancel/").status_code == 200
    response = desk.patch(f"/api/v1/timesheets/{billed[0]['id']}/", {"hours": "1.00"}, format="json")
    assert response.status_code == 200
    assert response.json()["invoice"] is None
