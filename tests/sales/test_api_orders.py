"""/api/v1/orders/: quotations with nested lines, state actions, filters, errors."""

from decimal import Decimal

import pytest

from sales.models import Order
from sales.services import order_confirm, order_create
from tests.factories import OrderFactory, ProductFactory, TaxFactory, uom

pytestmark = pytest.mark.django_db

LINE_FIELDS = {
    "id",
    "product",
    "description",
    "quantity",
    "uom",
    "price_unit",
    "discount",
    "tax",
    "qty_delivered",
    "qty_invoiced",
    "qty_to_invoice",
    "remaining_hours",
    "invoice_status",
}
ORDER_FIELDS = {
    "id",
    "name",
    "customer",
    "salesperson",
    "state",
    "invoice_status",
    "is_upsell",
    "amount_untaxed",
    "amount_tax",
    "amount_total",
    "lines",
}


@pytest.fixture
def taxed_support_block(db):
    return ProductFactory(name="Prepaid support", price=Decimal("100.00"), tax=TaxFactory(rate=Decimal("21")))


def create_order(client, customer, *lines):
    return client.post("/api/v1/orders/", {"customer": customer.pk, "lines": list(lines)}, format="json")


def test_sales_creates_a_quotation_with_lines_and_gets_the_totals(
    client_for, seller, customer, taxed_support_block
):
    response = create_order(
        client_for(seller), customer, {"product": taxed_support_block.pk, "quantity": "50"}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= ORDER_FIELDS
    assert set(body["lines"][0]) >= LINE_FIELDS
    assert body["name"].startswith("SO")
    assert body["state"] == "draft"
    assert body["invoice_status"] == "no"
    assert body["salesperson"] == seller.pk
    line = body["lines"][0]
    assert line["quantity"] == "50.00"
    assert line["uom"] == uom("Hours").pk
    assert line["price_unit"] == "100.00"
    assert line["tax"] == taxed_support_block.tax_id
    assert line["remaining_hours"] == "50.00"
    assert (body["amount_untaxed"], body["amount_tax"], body["amount_total"]) == (
        "5000.00",
        "1050.00",
        "6050.00",
    )


def test_a_line_with_tax_null_has_no_tax(client_for, seller, customer, taxed_support_block):
    body = create_order(
        client_for(seller), customer, {"product": taxed_support_block.pk, "quantity": "1", "tax": None}
    ).json()
    assert body["lines"][0]["tax"] is None
    assert body["amount_tax"] == "0.00"


def test_retrieve_answers_the_order_with_its_lines(client_for, agent, seller, customer, taxed_support_block):
    order_id = create_order(client_for(seller), customer, {"product": taxed_support_block.pk}).json()["id"]
    response = client_for(agent).get(f"/api/v1/orders/{order_id}/")
    assert response.status_code == 200
    assert len(response.json()["lines"]) == 1


def test_order_in_days_shows_remaining_hours_in_hours(client_for, seller, customer, taxed_support_block):
    body = create_order(
        client_for(seller),
        customer,
        {"product": taxed_support_block.pk, "quantity": "2", "uom": uom("Days").pk},
    ).json()
    assert body["lines"][0]["remaining_hours"] == "16.00"


def test_postpaid_lines_have_no_remaining_hours(client_for, seller, customer, timesheet_product):
    body = create_order(
        client_for(seller), customer, {"product": timesheet_product.pk, "quantity": "10"}
    ).json()
    assert body["lines"][0]["remaining_hours"] is None


def test_unit_of_the_wrong_category_is_a_400_not_a_500(client_for, seller, customer, taxed_support_block):
    response = create_order(
        client_for(seller), customer, {"product": taxed_support_block.pk, "uom": uom("Units").pk}
    )
    assert response.status_code == 400
    assert "uom" in response.json()
    assert not Order.objects.exists()


def test_bad_types_and_unknown_ids_are_field_errors(client_for, seller, customer, taxed_support_block):
    client = client_for(seller)
    response = client.post("/api/v1/orders/", {"customer": "abc"}, format="json")
    assert response.status_code == 400
    assert "customer" in response.json()
    response = create_order(client, customer, {"product": 987654, "quantity": "many"})
    assert response.status_code == 400
    assert set(response.json()["lines"]["0"]) == {"product", "quantity"}
    response = create_order(client, customer, {"quantity": "1"})
    assert response.status_code == 400
    assert "product" in response.json()["lines"]["0"]
    response = create_order(
        client, customer, {"product": taxed_support_block.pk, "quantity": "-1", "discount": "101"}
    )
    assert response.status_code == 400
    assert set(response.json()["lines"]["0"]) == {"quantity", "discount"}
    assert not Order.objects.exists()


def test_draft_order_lines_are_updated_added_and_removed_in_one_write(
    client_for, seller, customer, taxed_support_block, timesheet_product
):
    client = client_for(seller)
    body = create_order(
        client,
        customer,
        {"product": taxed_support_block.pk, "quantity": "10"},
        {"product": timesheet_product.pk, "quantity": "5"},
    ).json()
    first, second = body["lines"]
    response = client.patch(
        f"/api/v1/orders/{body['id']}/",
        {
            "note": "Renewal",
            "lines": [
                {"id": first["id"], "quantity": "20", "discount": "10"},
                {"product": timesheet_product.pk, "quantity": "3", "description": "Extra"},
            ],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    updated = response.json()
    assert [line["quantity"] for line in updated["lines"]] == ["20.00", "3.00"]
    assert second["id"] not in [line["id"] for line in updated["lines"]]
    assert updated["lines"][1]["description"] == "Extra"
    assert updated["amount_untaxed"] == "2100.00"  # 20 × 100 × 0.9 + 3 × 100
    assert Order.objects.get(pk=body["id"]).note == "Renewal"


def test_patch_without_lines_leaves_the_lines_alone(client_for, seller, customer, taxed_support_block):
    client = client_for(seller)
    body = create_order(client, customer, {"product": taxed_support_block.pk}).json()
    response = client.patch(f"/api/v1/orders/{body['id']}/", {"client_reference": "PO-7"}, format="json")
    assert response.status_code == 200
    assert len(response.json()["lines"]) == 1
    assert response.json()["client_reference"] == "PO-7"


def test_a_line_of_another_order_cannot_be_edited_through_this_one(
    client_for, seller, customer, taxed_support_block
):
    client = client_for(seller)
    other = create_order(client, customer, {"product": taxed_support_block.pk}).json()
    mine = create_order(client, customer, {"product": taxed_support_block.pk}).json()
    response = client.patch(
        f"/api/v1/orders/{mine['id']}/",
        {"lines": [{"id": other["lines"][0]["id"], "quantity": "1"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "No such line on this order" in response.json()["lines[0].id"][0]


def test_confirming_a_quotation_without_lines_is_a_field_error_on_lines(client_for, seller, customer):
    client = client_for(seller)
    response = client.post("/api/v1/orders/", {"customer": customer.pk}, format="json")
    assert response.status_code == 201, response.json()
    order_id = response.json()["id"]
    response = client.post(f"/api/v1/orders/{order_id}/confirm/")
    assert response.status_code == 400
    assert "no lines" in response.json()["lines"][0]
    assert client.get(f"/api/v1/orders/{order_id}/").json()["state"] == "draft"


def test_confirm_lock_and_the_state_conflicts(client_for, seller, customer, taxed_support_block):
    client = client_for(seller)
    order_id = create_order(client, customer, {"product": taxed_support_block.pk, "quantity": "50"}).json()[
        "id"
    ]
    response = client.post(f"/api/v1/orders/{order_id}/confirm/")
    assert response.status_code == 200
    assert response.json()["state"] == "sale"
    assert response.json()["invoice_status"] == "to_invoice"
    assert client.post(f"/api/v1/orders/{order_id}/confirm/").status_code == 409
    response = client.post(f"/api/v1/orders/{order_id}/lock/")
    assert response.status_code == 200
    assert response.json()["state"] == "done"


def test_confirmed_order_header_and_prices_cannot_change(client_for, seller, customer, taxed_support_block):
    client = client_for(seller)
    body = create_order(client, customer, {"product": taxed_support_block.pk, "quantity": "50"}).json()
    client.post(f"/api/v1/orders/{body['id']}/confirm/")
    response = client.patch(f"/api/v1/orders/{body['id']}/", {"note": "late edit"}, format="json")
    assert response.status_code == 409
    line_id = body["lines"][0]["id"]
    response = client.patch(
        f"/api/v1/orders/{body['id']}/", {"lines": [{"id": line_id, "price_unit": "1.00"}]}, format="json"
    )
    assert response.status_code == 409
    assert Order.objects.get(pk=body["id"]).amount_untaxed == Decimal("5000.00")


def test_cancel_a_quotation(client_for, seller, customer, taxed_support_block):
    client = client_for(seller)
    order_id = create_order(client, customer, {"product": taxed_support_block.pk}).json()["id"]
    response = client.post(f"/api/v1/orders/{order_id}/cancel/")
    assert response.status_code == 200
    assert response.json()["state"] == "cancel"
    assert client.post(f"/api/v1/orders/{order_id}/confirm/").status_code == 409


def test_manual_line_delivered_quantity_is_writable(client_for, seller, customer):
    product = ProductFactory(name="Consulting", manual=True, price=Decimal("80.00"))
    client = client_for(seller)
    body = create_order(client, customer, {"product": product.pk, "quantity": "10"}).json()
    client.post(f"/api/v1/orders/{body['id']}/confirm/")
    line_id = body["lines"][0]["id"]
    response = client.patch(
        f"/api/v1/orders/{body['id']}/", {"lines": [{"id": line_id, "qty_delivered": "4"}]}, format="json"
    )
    assert response.status_code == 200, response.json()
    line = response.json()["lines"][0]
    assert (line["qty_delivered"], line["qty_to_invoice"], line["invoice_status"]) == (
        "4.00",
        "4.00",
        "to_invoice",
    )


def test_order_filters(client_for, accountant, seller, customer, taxed_support_block):
    draft = order_create(
        customer=customer, user=seller, lines=[{"product": taxed_support_block, "quantity": Decimal(5)}]
    )
    confirmed = order_create(
        customer=customer, user=seller, lines=[{"product": taxed_support_block, "quantity": Decimal(5)}]
    )
    order_confirm(order=confirmed, user=seller)
    elsewhere = OrderFactory()
    upsell = OrderFactory(is_upsell=True, state=Order.State.SALE)
    client = client_for(accountant)

    def ids(**params):
        return {row["id"] for row in client.get("/api/v1/orders/", params).json()["results"]}

    assert ids(state="draft") == {draft.pk, elsewhere.pk}
    assert ids(state="sale") == {confirmed.pk, upsell.pk}
    assert ids(invoice_status="to_invoice") == {confirmed.pk}
    assert ids(customer=customer.pk) == {draft.pk, confirmed.pk}
    assert ids(is_upsell="true") == {upsell.pk}
    assert ids(is_upsell="false") == {draft.pk, confirmed.pk, elsewhere.pk}


def test_bad_filter_values_are_400_not_500(client_for, accountant):
    client = client_for(accountant)
    response = client.get("/api/v1/orders/", {"state": "nonsense", "customer": "x"})
    assert response.status_code == 400
    assert set(response.json()) == {"state", "customer"}


def test_unknown_order_is_404(client_for, seller):
    client = client_for(seller)
    assert client.get("/api/v1/orders/999999/").status_code == 404
    assert client.post("/api/v1/orders/999999/confirm/").status_code == 404
    assert client.get("/api/v1/orders/abc/").status_code == 404
