"""/api/v1/contracts/ exactly as API.md: fields, periods in hours, ?customer=, cancel, roles."""

import datetime

import pytest

from contracts.models import Contract
from tests.clock import frozen_on
from tests.factories import CustomerFactory, ProductFactory, UserFactory

pytestmark = [
    pytest.mark.django_db,
    frozen_on(datetime.datetime(2026, 1, 10, 9, 0, tzinfo=datetime.UTC), tick=False),
]

JAN_1 = datetime.date(2026, 1, 1)
FIELDS = {
    "id",
    "customer",
    "product",
    "salesperson",
    "hours_per_period",
    "period",
    "start_date",
    "end_date",
    "rollover",
    "rollover_cap_hours",
    "rollover_expiry_periods",
    "overage",
    "overage_rate",
    "state",
    "current_line",
    "periods",
}


def payload(customer, product, **extra):
    data = {
        "customer": customer.pk,
        "product": product.pk,
        "hours_per_period": "10.00",
        "period": "month",
        "start_date": "2026-01-01",
        "rollover": "capped",
        "rollover_cap_hours": "8.00",
        "rollover_expiry_periods": 2,
        "overage": "rate",
        "overage_rate": "90.00",
    }
    data.update(extra)
    return data


def test_sales_create_a_contract_and_its_first_period_is_answered_in_hours(api_as, seller, support_block):
    customer = CustomerFactory()
    response = api_as(seller).post("/api/v1/contracts/", payload(customer, support_block), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == FIELDS
    assert (body["state"], body["hours_per_period"], body["overage_rate"]) == ("active", "10.00", "90.00")
    [period] = body["periods"]
    assert period == {
        "start": "2026-01-01",
        "end": "2026-01-31",
        "order_line": body["current_line"],
        "sold": "10.00",
        "rolled_over": "0.00",
        "used": "0.00",
        "expired": "0.00",
        "overage": "0.00",
        "closed": False,
    }


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"hours_per_period": "0"}, "hours_per_period"),
        ({"rollover_cap_hours": None}, "rollover_cap_hours"),
        ({"overage_rate": None}, "overage_rate"),
        ({"end_date": "2025-12-31"}, "end_date"),
        ({"period": "week"}, "period"),
        ({"rollover_expiry_periods": 0}, "rollover_expiry_periods"),
    ],
)
def test_bad_input_is_a_field_level_400_and_writes_nothing(api_as, seller, support_block, extra, field):
    response = api_as(seller).post(
        "/api/v1/contracts/", payload(CustomerFactory(), support_block, **extra), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert Contract.objects.count() == 0


def test_a_post_paid_product_cannot_be_sold_as_a_contract(api_as, seller):
    product = ProductFactory(timesheet=True)
    response = api_as(seller).post("/api/v1/contracts/", payload(CustomerFactory(), product), format="json")
    assert response.status_code == 400
    assert "product" in response.json()


def test_filter_by_customer_and_cancel(api_as, seller, make_contract):
    mine = make_contract()
    make_contract(customer=CustomerFactory())
    client = api_as(seller)
    listed = client.get(f"/api/v1/contracts/?customer={mine.customer_id}").json()
    assert [c["id"] for c in listed["results"]] == [mine.pk]
    assert client.get("/api/v1/contracts/?customer=x").status_code == 400
    cancelled = client.post(f"/api/v1/contracts/{mine.pk}/cancel/")
    assert cancelled.status_code == 200
    assert cancelled.json()["state"] == "cancelled"
    assert client.post(f"/api/v1/contracts/{mine.pk}/cancel/").status_code == 409


def test_a_running_contract_keeps_its_rollover_rule_but_may_get_an_end_date(api_as, seller, make_contract):
    contract = make_contract()
    client = api_as(seller)
    refused = client.patch(f"/api/v1/contracts/{contract.pk}/", {"rollover": "unlimited"}, format="json")
    assert refused.status_code == 409
    changed = client.patch(f"/api/v1/contracts/{contract.pk}/", {"end_date": "2026-06-30"}, format="json")
    assert changed.status_code == 200
    assert changed.json()["end_date"] == "2026-06-30"


def test_roles(api_as, agent, accountant, admin_staff, seller, customer_user, make_contract, support_block):
    contract = make_contract()
    other = make_contract(customer=CustomerFactory())
    contract.customer.portal_users.add(customer_user)
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    for user in (agent, accountant, admin_staff, seller, superuser):
        assert api_as(user).get(f"/api/v1/contracts/{contract.pk}/").status_code == 200
    for user, allowed in ((agent, False), (accountant, False), (admin_staff, True), (superuser, True)):
        response = api_as(user).post(
            "/api/v1/contracts/", payload(CustomerFactory(), support_block), format="json"
        )
        assert (response.status_code == 201) is allowed, (user, response.status_code)
    portal = api_as(customer_user)
    assert [c["id"] for c in portal.get("/api/v1/contracts/").json()["results"]] == [contract.pk]
    assert portal.get(f"/api/v1/contracts/{other.pk}/").status_code == 404
    assert portal.post(f"/api/v1/contracts/{contract.pk}/cancel/").status_code == 403


def test_the_schema_documents_contracts(api_as, admin_staff):
    schema = api_as(admin_staff).get("/api/v1/schema/?format=json").json()
    assert "/api/v1/contracts/{id}/cancel/" in schema["paths"]
    assert "periods" in schema["components"]["schemas"]["Contract"]["properties"]
