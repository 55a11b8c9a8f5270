"""Units, taxes, customers and products: CRUD, filters, pagination, validation."""

from decimal import Decimal

import pytest

from sales.models import Customer, Product, Uom
from tests.factories import CustomerFactory, OrderFactory, ProductFactory, TaxFactory, uom

pytestmark = pytest.mark.django_db


# --- Units of measure ---------------------------------------------------------------------


def test_uoms_list_renders_category_as_kind_and_ratio_as_string(client_for, agent):
    response = client_for(agent).get("/api/v1/uoms/")
    assert response.status_code == 200
    by_name = {row["name"]: row for row in response.json()["results"]}
    assert by_name["Days"]["category"] == "time"
    assert by_name["Days"]["ratio"] == "8.00000"
    assert by_name["Units"]["category"] == "unit"


def test_uoms_filter_by_name_is_case_insensitive(client_for, agent):
    response = client_for(agent).get("/api/v1/uoms/", {"name": "day"})
    assert [row["name"] for row in response.json()["results"]] == ["Days"]


def test_admin_creates_a_week_unit_in_the_time_category(client_for, admin_staff):
    response = client_for(admin_staff).post(
        "/api/v1/uoms/", {"name": "Week (40 h)", "category": "time", "ratio": "40"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["category"] == "time"
    assert Uom.objects.get(name="Week (40 h)").category.kind == "time"


def test_uom_with_unknown_category_or_zero_ratio_is_a_field_error(client_for, admin_staff):
    response = client_for(admin_staff).post(
        "/api/v1/uoms/", {"name": "Bad", "category": "volume", "ratio": "0"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"category", "ratio"}


def test_deleting_a_unit_in_use_is_a_conflict_not_a_500(client_for, admin_staff):
    ProductFactory(uom=uom("Days"))
    response = client_for(admin_staff).delete(f"/api/v1/uoms/{uom('Days').pk}/")
    assert response.status_code == 409
    assert "detail" in response.json()


def test_agent_cannot_create_units(client_for, agent):
    response = client_for(agent).post("/api/v1/uoms/", {"name": "X", "category": "time", "ratio": "2"})
    assert response.status_code == 403


# --- Taxes --------------------------------------------------------------------------------


def test_admin_creates_and_updates_a_tax(client_for, admin_staff):
    client = client_for(admin_staff)
    response = client.post("/api/v1/taxes/", {"name": "VAT 6%", "rate": "6"}, format="json")
    assert response.status_code == 201
    tax_id = response.json()["id"]
    assert response.json()["rate"] == "6.000"
    response = client.patch(f"/api/v1/taxes/{tax_id}/", {"rate": "12"}, format="json")
    assert response.status_code == 200
    assert client.get(f"/api/v1/taxes/{tax_id}/").json()["rate"] == "12.000"


def test_tax_rate_above_100_percent_is_a_field_error(client_for, admin_staff):
    response = client_for(admin_staff).post("/api/v1/taxes/", {"name": "Silly", "rate": "150"}, format="json")
    assert response.status_code == 400
    assert "rate" in response.json()


def test_sales_reads_taxes_but_cannot_change_them(client_for, seller):
    tax = TaxFactory()
    client = client_for(seller)
    assert client.get("/api/v1/taxes/").json()["count"] == 1
    assert client.patch(f"/api/v1/taxes/{tax.pk}/", {"rate": "1"}, format="json").status_code == 403


# --- Customers ----------------------------------------------------------------------------


def test_sales_creates_retrieves_and_updates_a_customer(client_for, seller):
    client = client_for(seller)
    payload = {
        "name": "Globex",
        "email": "ap@globex.example",
        "vat": "BE0999999999",
        "street": "1 Main St",
        "city": "Ghent",
        "zip": "9000",
        "country": "BE",
    }
    response = client.post("/api/v1/customers/", payload, format="json")
    assert response.status_code == 201, response.json()
    customer_id = response.json()["id"]
    body = client.get(f"/api/v1/customers/{customer_id}/").json()
    assert {key: body[key] for key in payload} == payload
    response = client.patch(f"/api/v1/customers/{customer_id}/", {"city": "Bruges"}, format="json")
    assert response.status_code == 200
    assert Customer.objects.get(pk=customer_id).city == "Bruges"


def test_customer_search_matches_name_email_or_vat(client_for, agent):
    CustomerFactory(name="Initech", email="it@initech.example", vat="BE0111")
    CustomerFactory(name="Umbrella", email="billing@umbrella.example", vat="FR0222")
    client = client_for(agent)
    assert [c["name"] for c in client.get("/api/v1/customers/", {"search": "init"}).json()["results"]] == [
        "Initech"
    ]
    assert [c["name"] for c in client.get("/api/v1/customers/", {"search": "fr02"}).json()["results"]] == [
        "Umbrella"
    ]


def test_customer_with_invalid_email_and_long_country_gets_field_errors(client_for, seller):
    response = client_for(seller).post(
        "/api/v1/customers/", {"name": "X", "email": "not-an-email", "country": "BEL"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"email", "country"}


def test_agent_reads_customers_but_cannot_create_them(client_for, agent):
    client = client_for(agent)
    assert client.get("/api/v1/customers/").status_code == 200
    assert client.post("/api/v1/customers/", {"name": "X"}, format="json").status_code == 403


def test_deleting_a_customer_with_orders_is_a_conflict(client_for, admin_staff):
    order = OrderFactory()
    response = client_for(admin_staff).delete(f"/api/v1/customers/{order.customer_id}/")
    assert response.status_code == 409


# --- Products -----------------------------------------------------------------------------


def test_admin_creates_a_postpaid_service_product(client_for, admin_staff):
    tax = TaxFactory()
    response = client_for(admin_staff).post(
        "/api/v1/products/",
        {
            "name": "Support on timesheets",
            "type": "service",
            "invoice_policy": "timesheet",
            "uom": uom("Hours").pk,
            "price": "95.50",
            "tax": tax.pk,
            "service_tracking": "none",
            "upsell_threshold": None,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["price"] == "95.50"
    assert body["tax"] == tax.pk
    assert body["upsell_threshold"] is None
    assert Product.objects.get(pk=body["id"]).invoice_policy == "timesheet"


def test_product_update_changes_price_and_threshold(client_for, admin_staff):
    product = ProductFactory()
    response = client_for(admin_staff).patch(
        f"/api/v1/products/{product.pk}/", {"price": "450.00", "upsell_threshold": "80"}, format="json"
    )
    assert response.status_code == 200
    product.refresh_from_db()
    assert product.price == Decimal("450.00")
    assert product.upsell_threshold == Decimal("80.00")


def test_goods_with_prepaid_policy_is_refused_on_the_policy_field(client_for, admin_staff):
    response = client_for(admin_staff).post(
        "/api/v1/products/",
        {"name": "Cable", "type": "goods", "invoice_policy": "prepaid", "uom": uom("Units").pk, "price": "3"},
        format="json",
    )
    assert response.status_code == 400
    assert "invoice_policy" in response.json()


def test_product_with_negative_price_unknown_unit_and_bad_threshold_gets_field_errors(
    client_for, admin_staff
):
    response = client_for(admin_staff).post(
        "/api/v1/products/",
        {"name": "X", "uom": 999999, "price": "-1", "upsell_threshold": "150", "type": "service"},
        format="json",
    )
    assert response.status_code == 400
    assert {"uom", "price", "upsell_threshold"} <= set(response.json())


def test_products_filter_by_name(client_for, customer_user):
    ProductFactory(name="Gold support")
    ProductFactory(name="Network cable", goods=True)
    response = client_for(customer_user).get("/api/v1/products/", {"name": "GOLD"})
    assert response.status_code == 200
    assert [p["name"] for p in response.json()["results"]] == ["Gold support"]


def test_sales_cannot_change_products(client_for, seller):
    product = ProductFactory()
    response = client_for(seller).patch(f"/api/v1/products/{product.pk}/", {"price": "1"}, format="json")
    assert response.status_code == 403


# --- Pagination ---------------------------------------------------------------------------


def test_lists_are_paginated_with_count_next_previous_results(client_for, agent):
    CustomerFactory.create_batch(60)
    client = client_for(agent)
    page = client.get("/api/v1/customers/").json()
    assert set(page) == {"count", "next", "previous", "results"}
    assert page["count"] == 60
    assert len(page["results"]) == 50
    assert page["previous"] is None
    assert page["next"].endswith("page=2")
    second = client.get(page["next"]).json()
    assert len(second["results"]) == 10
    assert second["next"] is None


def test_page_size_goes_up_to_500_and_no_further(client_for, agent):
    CustomerFactory.create_batch(502)
    client = client_for(agent)
    assert len(client.get("/api/v1/customers/", {"page_size": 10}).json()["results"]) == 10
    assert len(client.get("/api/v1/customers/", {"page_size": 1000}).json()["results"]) == 500


def test_a_page_past_the_end_is_404_not_500(client_for, agent):
    assert client_for(agent).get("/api/v1/customers/", {"page": 9}).status_code == 404
