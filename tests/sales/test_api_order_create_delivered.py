"""POST /api/v1/orders/ with `qty_delivered` on its lines: the delivered quantities go through the
one line-editing service (`order_lines_update`), as a PATCH of the lines does. A new order is a
quotation: nothing can be delivered on it yet (409), nor on a line whose delivered quantity
comes from timesheets (400); the refusal names the line and nothing is created."""

from decimal import Decimal

import pytest

from sales.models import Order
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def _create(client, customer, *lines):
    return client.post("/api/v1/orders/", {"customer": customer.pk, "lines": list(lines)}, format="json")


def test_delivered_on_a_new_quotation_is_refused_and_nothing_is_created(client_for, seller, customer):
    manual = ProductFactory(name="Consulting", manual=True, price=Decimal("80.00"))
    response = _create(
        client_for(seller),
        customer,
        {"product": manual.pk, "quantity": "10"},
        {"product": manual.pk, "quantity": "5", "qty_delivered": "2"},
    )
    assert response.status_code == 409, response.json()
    assert "not confirmed" in response.json()["lines[1]"][0]
    assert not Order.objects.exists()


def test_delivered_on_a_timesheet_line_is_a_field_error(client_for, seller, customer, timesheet_product):
    response = _create(client_for(seller), customer, {"product": timesheet_product.pk, "qty_delivered": "3"})
    assert response.status_code == 400, response.json()
    assert set(response.json()) == {"lines[0].qty_delivered"}
    assert not Order.objects.exists()


def test_an_unchanged_delivered_quantity_sent_back_is_accepted(client_for, seller, customer):
    manual = ProductFactory(name="Consulting", manual=True, price=Decimal("80.00"))
    response = _create(
        client_for(seller), customer, {"product": manual.pk, "quantity": "1", "qty_delivered": "0"}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["lines"][0]["qty_delivered"] == "0.00"
