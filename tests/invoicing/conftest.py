"""Invoices made through the API: a confirmed order, its draft invoice and the posted one (the
API's JSON answers), shared by the invoice API tests."""

from decimal import Decimal

import pytest

from sales.models import Order
from sales.services import order_confirm, order_create
from tests.factories import ProductFactory


@pytest.fixture
def confirmed_order(customer, seller) -> Order:
    """10 h of prepaid support at 100.00, confirmed: 1 000.00 to invoice."""
    order = order_create(
        customer=customer,
        user=seller,
        lines=[
            {"product": ProductFactory(name="Prepaid", price=Decimal("100.00")), "quantity": Decimal("10")}
        ],
    )
    return order_confirm(order=order, user=seller)


@pytest.fixture
def draft_invoice_data(client_for, seller, confirmed_order) -> dict:
    response = client_for(seller).post(
        f"/api/v1/orders/{confirmed_order.pk}/invoice/", {"method": "regular"}, format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()


@pytest.fixture
def posted_invoice_data(client_for, accountant, draft_invoice_data) -> dict:
    response = client_for(accountant).post(f"/api/v1/invoices/{draft_invoice_data['id']}/post/")
    assert response.status_code == 200, response.json()
    return response.json()
