"""The error format of API.md, and no 500 for any malformed input."""

import json

import pytest

from tests.factories import (
    CustomerFactory,
    InvoiceFactory,
    OrderFactory,
    OrderLineFactory,
    TimesheetLineFactory,
)

pytestmark = pytest.mark.django_db

GARBAGE = [
    [],
    ["a", 1],
    "just a string",
    {"customer": None, "lines": "nope"},
    {"customer": [1], "lines": [None, 3, "x", {"product": {"id": 1}}]},
    {"date": 20261101, "hours": None, "ticket": True, "employee": "me"},
    {"amount": {"value": 1}, "date": [], "method": None, "period_start": 5},
    {"name": None, "rate": "NaN", "category": 7, "ratio": "Infinity", "uom": -1, "price": "1e400"},
    {"invoice_date": "2026-02-30", "due_date": "tomorrow"},
    {"lines": [{"id": "x"}, {"id": 10**12, "quantity": "1"}]},
]


@pytest.fixture
def targets(db, portal_customer):
    order = OrderFactory(customer=portal_customer)
    OrderLineFactory(order=order)
    line = TimesheetLineFactory()
    invoice = InvoiceFactory(customer=portal_customer)
    return [
        ("patch", "accountant", f"/api/v1/invoices/{invoice.pk}/"),
        ("post", "accountant", f"/api/v1/invoices/{invoice.pk}/pay/"),
        ("post", "sales", "/api/v1/orders/"),
        ("patch", "sales", f"/api/v1/orders/{order.pk}/"),
        ("put", "sales", f"/api/v1/orders/{order.pk}/"),
        ("post", "sales", f"/api/v1/orders/{order.pk}/invoice/"),
        ("post", "admin", "/api/v1/uoms/"),
        ("post", "admin", "/api/v1/taxes/"),
        ("post", "admin", "/api/v1/products/"),
        ("post", "sales", "/api/v1/customers/"),
        ("post", "agent", "/api/v1/timesheets/"),
        ("patch", "agent", f"/api/v1/timesheets/{line.pk}/"),
    ], line


@pytest.mark.parametrize("payload", GARBAGE, ids=range(len(GARBAGE)))
def test_malformed_bodies_never_cause_a_500(client_for, users, targets, payload):
    endpoints, line = targets
    line.employee = users["agent"]
    line.save()
    for method, role, url in endpoints:
        response = getattr(client_for(users[role]), method)(url, payload, format="json")
        # Keys a resource does not know are ignored (a PATCH of them is a 200); the rest is a 4xx.
        assert response.status_code < 500, (method, url, response.status_code)
        assert isinstance(response.json(), dict)


def test_invalid_json_is_a_400_with_detail(client_for, seller):
    response = client_for(seller).generic(
        "POST", "/api/v1/orders/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "detail" in response.json()


def test_field_errors_map_each_field_to_a_list_of_messages(client_for, seller):
    response = client_for(seller).post("/api/v1/customers/", {"email": "x"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"name", "email"}
    assert all(isinstance(messages, list) and messages for messages in body.values())
    assert all(isinstance(m, str) for messages in body.values() for m in messages)


def test_conflicts_are_409_with_a_detail_message(client_for, seller):
    order = OrderFactory(state="cancel")
    response = client_for(seller).post(f"/api/v1/orders/{order.pk}/confirm/")
    assert response.status_code == 409
    assert isinstance(response.json()["detail"], str)


def test_not_found_permission_and_auth_errors_carry_a_detail(client_for, api_client, agent):
    assert "detail" in client_for(agent).get("/api/v1/orders/424242/").json()
    assert "detail" in client_for(agent).post("/api/v1/customers/", {}).json()
    assert "detail" in api_client.get("/api/v1/orders/").json()


def test_api_root_and_options_answer(client_for, agent):
    client = client_for(agent)
    root = client.get("/api/v1/")
    assert root.status_code == 200
    assert {"orders", "invoices", "timesheets", "uoms", "taxes", "customers", "products"} <= set(root.json())
    assert client.options("/api/v1/orders/").status_code == 200
    assert client.head("/api/v1/customers/").status_code == 200


def test_decimals_are_strings_and_dates_iso(client_for, accountant):
    CustomerFactory()
    line = TimesheetLineFactory()
    body = json.loads(client_for(accountant).get(f"/api/v1/timesheets/{line.pk}/").content)
    assert body["hours"] == "1.00"
    assert body["date"] == line.date.isoformat()
