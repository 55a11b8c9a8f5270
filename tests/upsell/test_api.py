import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import (
    PrepaidLineFactory,
    ProductFactory,
    ProjectFactory,
    SaleOrderFactory,
    TimesheetLineFactory,
    UserFactory,
)
from upsell.sweep import upsell_sweep

pytestmark = pytest.mark.django_db
URL = "/api/v1/upsells/"


@pytest.mark.parametrize("user_fixture", ["agent", "accountant", "customer_user"])
def test_upsells_are_forbidden_to_other_roles(api_as, request, user_fixture):
    assert api_as(request.getfixturevalue(user_fixture)).get(URL).status_code == 403


def test_upsells_need_authentication(api_client):
    assert api_client.get(URL).status_code == 401


@pytest.mark.parametrize("user_fixture", ["seller", "admin_staff", "admin_user"])
def test_upsells_list_flagged_orders_with_prepaid_lines(api_as, request, user_fixture):
    today = timezone.localdate()
    order = SaleOrderFactory(customer__name="Acme")
    line = PrepaidLineFactory(order=order, product=ProductFactory(upsell_threshold=Decimal("80")))
    TimesheetLineFactory.create_batch(
        3,
        sale_line=line,
        hours=Decimal("14"),
        date=today - datetime.timedelta(days=1),
        employee=UserFactory(roles=["agent"]),
        project=ProjectFactory(),
    )
    PrepaidLineFactory(qty_delivered=Decimal("2"))  # not flagged
    upsell_sweep()

    response = api_as(request.getfixturevalue(user_fixture)).get(URL)

    assert response.status_code == 200
    assert response.data["count"] == 1
    item = response.json()["results"][0]
    assert item["id"] == order.pk and item["name"] == order.name
    assert item["customer"] == order.customer_id
    assert item["upsell_reason"] == "consumed"
    assert item["flagged_at"]
    (ln,) = item["lines"]
    assert ln["id"] == line.pk
    assert (ln["ordered"], ln["delivered"], ln["remaining_hours"], ln["percent"]) == (
        "50.00",
        "42.00",
        "8.00",
        "84",
    )
    assert ln["burn_rate"] == "1.40"
    assert ln["runs_out_on"] == (today + datetime.timedelta(days=6)).isoformat()
    assert item["runs_out_in_days"] == 6

    detail = api_as(request.getfixturevalue(user_fixture)).get(f"{URL}{order.pk}/")
    assert detail.status_code == 200 and detail.json()["name"] == order.name


def test_an_order_not_flagged_is_a_404(api_as, seller):
    line = PrepaidLineFactory(qty_delivered=Decimal("2"))
    assert api_as(seller).get(f"{URL}{line.order_id}/").status_code == 404


@pytest.mark.parametrize("n", [2, 15])
def test_upsells_list_runs_a_fixed_number_of_queries(api_as, seller, n, django_assert_num_queries):
    for _ in range(n):
        order = SaleOrderFactory()
        PrepaidLineFactory.create_batch(2, order=order, qty_delivered=Decimal("50"))
    upsell_sweep()
    client = api_as(seller)
    # savepoint, roles, count, orders, lines, forecasts, release
    with django_assert_num_queries(7):
        response = client.get(URL)
    assert response.data["count"] == n
