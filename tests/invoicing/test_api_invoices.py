"""/api/v1/invoices/ and POST /api/v1/orders/{id}/invoice/: create, post, cancel, credit, pay, PDF."""

import datetime
from decimal import Decimal

import pytest

from invoicing.models import Invoice
from sales.services import order_create
from tests.factories import (
    InvoiceFactory,
    InvoiceLineFactory,
    OrderFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db

INVOICE_FIELDS = {
    "id",
    "number",
    "kind",
    "customer",
    "order",
    "state",
    "payment_state",
    "invoice_date",
    "due_date",
    "amount_untaxed",
    "amount_tax",
    "amount_total",
    "amount_due",
    "lines",
}
INVOICE_LINE_FIELDS = {"description", "quantity", "uom", "price_unit", "tax", "subtotal", "sale_line"}


# --- Creating from an order ---------------------------------------------------------------


def test_invoice_action_answers_201_with_the_draft_invoice(draft_invoice_data, confirmed_order):
    assert set(draft_invoice_data) >= INVOICE_FIELDS
    assert set(draft_invoice_data["lines"][0]) >= INVOICE_LINE_FIELDS
    assert draft_invoice_data["state"] == "draft"
    assert draft_invoice_data["number"] is None
    assert draft_invoice_data["kind"] == "invoice"
    assert draft_invoice_data["order"] == confirmed_order.pk
    assert draft_invoice_data["customer"] == confirmed_order.customer_id
    assert draft_invoice_data["amount_total"] == "1000.00"
    assert draft_invoice_data["amount_due"] == "1000.00"
    assert draft_invoice_data["lines"][0]["quantity"] == "10.00"
    assert draft_invoice_data["lines"][0]["sale_line"] == confirmed_order.lines.get().pk


def test_invoicing_a_draft_order_is_a_409(client_for, seller, customer):
    order = order_create(customer=customer, user=seller, lines=[{"product": ProductFactory()}])
    response = client_for(seller).post(f"/api/v1/orders/{order.pk}/invoice/", {"method": "regular"})
    assert response.status_code == 409
    assert "detail" in response.json()
    assert not Invoice.objects.exists()


def test_invoicing_an_invoiced_order_again_says_nothing_to_invoice(
    client_for, seller, confirmed_order, draft_invoice_data
):
    response = client_for(seller).post(f"/api/v1/orders/{confirmed_order.pk}/invoice/", {}, format="json")
    assert response.status_code == 400
    assert "nothing to invoice" in response.json()["detail"].lower()
    assert Invoice.objects.count() == 1


def test_down_payment_of_30_percent(client_for, seller, confirmed_order):
    response = client_for(seller).post(
        f"/api/v1/orders/{confirmed_order.pk}/invoice/",
        {"method": "down_payment_percent", "amount": "30"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["amount_untaxed"] == "300.00"


def test_invoice_action_input_errors_are_field_level(client_for, seller, confirmed_order):
    client = client_for(seller)
    url = f"/api/v1/orders/{confirmed_order.pk}/invoice/"
    response = client.post(url, {"method": "everything"}, format="json")
    assert (response.status_code, list(response.json())) == (400, ["method"])
    response = client.post(url, {"method": "down_payment_fixed"}, format="json")
    assert (response.status_code, list(response.json())) == (400, ["amount"])
    response = client.post(url, {"period_start": "2026-11-30", "period_end": "2026-11-01"}, format="json")
    assert (response.status_code, list(response.json())) == (400, ["period_end"])
    response = client.post(url, {"period_start": "not a date", "amount": "x"}, format="json")
    assert (response.status_code, set(response.json())) == (400, {"period_start", "amount"})
    assert not Invoice.objects.exists()


def test_invoice_action_on_an_unknown_order_is_404(client_for, seller):
    client = client_for(seller)
    assert client.post("/api/v1/orders/999999/invoice/", {"method": "regular"}).status_code == 404
    assert client.post("/api/v1/orders/abc/invoice/", {"method": "regular"}).status_code == 404


def test_accountant_may_also_create_a_draft_invoice(client_for, accountant, confirmed_order):
    response = client_for(accountant).post(f"/api/v1/orders/{confirmed_order.pk}/invoice/", {}, format="json")
    assert response.status_code == 201


# --- Reading and filtering ----------------------------------------------------------------


def test_amount_due_is_total_minus_paid(client_for, accountant):
    invoice = InvoiceFactory(
        state=Invoice.State.POSTED,
        number="INV/2026/00050",
        amount_total=Decimal("121.00"),
        amount_paid=Decimal("21.00"),
    )
    InvoiceLineFactory(invoice=invoice)
    body = client_for(accountant).get(f"/api/v1/invoices/{invoice.pk}/").json()
    assert (body["amount_total"], body["amount_due"]) == ("121.00", "100.00")
    assert body["lines"][0]["subtotal"] == "100.00"


def test_invoice_filters(client_for, seller, customer):
    order = OrderFactory(customer=customer)
    on_order = InvoiceFactory(customer=customer, order=order)
    posted = InvoiceFactory(customer=customer, state=Invoice.State.POSTED, number="INV/2026/00060")
    elsewhere = InvoiceFactory()
    client = client_for(seller)

    def ids(**params):
        return {row["id"] for row in client.get("/api/v1/invoices/", params).json()["results"]}

    assert ids() == {on_order.pk, posted.pk, elsewhere.pk}
    assert ids(state="posted") == {posted.pk}
    assert ids(state="draft") == {on_order.pk, elsewhere.pk}
    assert ids(customer=customer.pk) == {on_order.pk, posted.pk}
    assert ids(order=order.pk) == {on_order.pk}
    response = client.get("/api/v1/invoices/", {"state": "paid", "order": "one"})
    assert (response.status_code, set(response.json())) == (400, {"state", "order"})


# --- Editing ------------------------------------------------------------------------------


def test_accountant_sets_the_dates_of_a_draft(client_for, accountant, draft_invoice_data):
    response = client_for(accountant).patch(
        f"/api/v1/invoices/{draft_invoice_data['id']}/",
        {"invoice_date": "2026-11-02", "due_date": "2026-12-02"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["invoice_date"], response.json()["due_date"]) == ("2026-11-02", "2026-12-02")


def test_due_date_before_invoice_date_is_a_field_error(client_for, accountant, draft_invoice_data):
    response = client_for(accountant).patch(
        f"/api/v1/invoices/{draft_invoice_data['id']}/",
        {"invoice_date": "2026-11-02", "due_date": "2026-11-01"},
        format="json",
    )
    assert (response.status_code, list(response.json())) == (400, ["due_date"])
    assert Invoice.objects.get(pk=draft_invoice_data["id"]).invoice_date is None


def test_editing_a_posted_invoice_is_a_409(client_for, accountant, posted_invoice_data):
    response = client_for(accountant).patch(
        f"/api/v1/invoices/{posted_invoice_data['id']}/", {"due_date": "2030-01-01"}, format="json"
    )
    assert response.status_code == 409
    assert Invoice.objects.get(pk=posted_invoice_data["id"]).due_date != datetime.date(2030, 1, 1)


# --- Post, cancel, credit note ------------------------------------------------------------


def test_posting_numbers_the_invoice_and_a_second_post_is_a_409(client_for, accountant, posted_invoice_data):
    assert posted_invoice_data["state"] == "posted"
    assert posted_invoice_data["number"].startswith("INV/")
    assert posted_invoice_data["invoice_date"] is not None
    response = client_for(accountant).post(f"/api/v1/invoices/{posted_invoice_data['id']}/post/")
    assert response.status_code == 409
    assert "detail" in response.json()


def test_cancel_a_draft_then_the_order_can_be_invoiced_again(
    client_for, accountant, seller, draft_invoice_data, confirmed_order
):
    response = client_for(accountant).post(f"/api/v1/invoices/{draft_invoice_data['id']}/cancel/")
    assert response.status_code == 200
    assert response.json()["state"] == "cancel"
    again = client_for(seller).post(f"/api/v1/orders/{confirmed_order.pk}/invoice/", {}, format="json")
    assert again.status_code == 201


def test_cancelling_a_posted_invoice_is_a_409(client_for, accountant, posted_invoice_data):
    assert (
        client_for(accountant).post(f"/api/v1/invoices/{posted_invoice_data['id']}/cancel/").status_code
        == 409
    )


def test_credit_note_answers_201_with_the_credit_note(client_for, accountant, posted_invoice_data):
    client = client_for(accountant)
    response = client.post(f"/api/v1/invoices/{posted_invoice_data['id']}/credit_note/")
    assert response.status_code == 201, response.json()
    credit = response.json()
    assert credit["kind"] == "credit_note"
    assert credit["id"] != posted_invoice_data["id"]
    assert credit["number"].startswith("RINV/")
    assert credit["amount_total"] == posted_invoice_data["amount_total"]
    assert client.post(f"/api/v1/invoices/{posted_invoice_data['id']}/credit_note/").status_code == 409


def test_crediting_a_draft_is_a_409(client_for, accountant, draft_invoice_data):
    response = client_for(accountant).post(f"/api/v1/invoices/{draft_invoice_data['id']}/credit_note/")
    assert response.status_code == 409


# --- Payments -----------------------------------------------------------------------------


def test_partial_then_full_payment(client_for, accountant, posted_invoice_data):
    client = client_for(accountant)
    url = f"/api/v1/invoices/{posted_invoice_data['id']}/pay/"
    response = client.post(
        url,
        {"amount": "400.00", "date": "2026-11-20", "method": "bank_transfer", "reference": "T1"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["payment_state"], response.json()["amount_due"]) == ("partial", "600.00")
    response = client.post(url, {"amount": "600.00", "date": "2026-11-21", "method": "card"}, format="json")
    assert (response.json()["payment_state"], response.json()["amount_due"]) == ("paid", "0.00")
    assert [p["amount"] for p in response.json()["payments"]] == ["400.00", "600.00"]


def test_paying_more_than_due_is_a_400_on_amount(client_for, accountant, posted_invoice_data):
    response = client_for(accountant).post(
        f"/api/v1/invoices/{posted_invoice_data['id']}/pay/",
        {"amount": "1000.01", "date": "2026-11-20"},
        format="json",
    )
    assert response.status_code == 400
    assert "amount" in response.json()
    assert not Invoice.objects.get(pk=posted_invoice_data["id"]).payments.exists()


def test_payment_input_errors_are_field_level(client_for, accountant, posted_invoice_data):
    response = client_for(accountant).post(
        f"/api/v1/invoices/{posted_invoice_data['id']}/pay/",
        {"amount": "-5", "date": "someday", "method": "bitcoin"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"amount", "date", "method"}


def test_paying_a_draft_is_a_409(client_for, accountant, draft_invoice_data):
    response = client_for(accountant).post(
        f"/api/v1/invoices/{draft_invoice_data['id']}/pay/",
        {"amount": "10", "date": "2026-11-20"},
        format="json",
    )
    assert response.status_code == 409


# --- PDF ----------------------------------------------------------------------------------


def test_accountant_downloads_the_pdf_of_a_posted_invoice(client_for, accountant, posted_invoice_data):
    response = client_for(accountant).get(f"/api/v1/invoices/{posted_invoice_data['id']}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert posted_invoice_data["number"].replace("/", "-") in response["Content-Disposition"]


def test_pdf_is_served_to_clients_asking_for_application_pdf(client_for, accountant, posted_invoice_data):
    response = client_for(accountant).get(
        f"/api/v1/invoices/{posted_invoice_data['id']}/pdf/", HTTP_ACCEPT="application/pdf"
    )
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_portal_customer_downloads_their_own_invoice_pdf(
    client_for, accountant, posted_invoice_data, customer
):
    from tests.factories import UserFactory

    contact = UserFactory(username="acme-portal", roles=["customer"])
    customer.portal_users.add(contact)
    client = client_for(contact)
    assert [i["id"] for i in client.get("/api/v1/invoices/").json()["results"]] == [posted_invoice_data["id"]]
    response = client.get(f"/api/v1/invoices/{posted_invoice_data['id']}/pdf/")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_pdf_of_an_unknown_invoice_is_404(client_for, accountant):
    assert client_for(accountant).get("/api/v1/invoices/999999/pdf/").status_code == 404
