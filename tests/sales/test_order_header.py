"""Editing the header of a quotation (customer, salesperson, date, reference, note) on its page."""

import datetime

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from sales.models import Order
from tests.factories import CustomerFactory, OrderFactory, UserFactory

pytestmark = pytest.mark.django_db


def _detail(order):
    return reverse("sales:order_detail", args=[order.pk])


def _header(order, **changes):
    data = {
        "customer": order.customer_id,
        "salesperson": order.salesperson_id or "",
        "order_date": order.order_date.isoformat(),
        "client_reference": order.client_reference,
        "note": order.note,
        **changes,
    }
    return {f"header-{name}": value for name, value in data.items()}


def test_sales_edits_the_header_of_a_quotation(client, seller):
    order = OrderFactory(client_reference="PO-1")
    other = CustomerFactory(name="Wayne Enterprises")
    bob = UserFactory(username="bob", first_name="Bob", roles=["sales"])
    client.force_login(seller)

    page = client.get(_detail(order)).content.decode()
    assert "Edit header" in page
    form_page = client.get(_detail(order), {"edit": "header"}).content.decode()
    assert 'name="header-client_reference"' in form_page and 'value="PO-1"' in form_page

    response = client.post(
        _detail(order),
        _header(
            order,
            customer=other.pk,
            salesperson=bob.pk,
            order_date="2026-11-02",
            client_reference="PO-77",
            note="Call before coming",
        ),
        follow=True,
    )

    assert response.redirect_chain == [(_detail(order), 302)]
    order.refresh_from_db()
    assert order.customer == other and order.salesperson == bob
    assert order.order_date == datetime.date(2026, 11, 2)
    assert (order.client_reference, order.note) == ("PO-77", "Call before coming")
    html = response.content.decode()
    assert "Wayne Enterprises" in html and "PO-77" in html and f"{order.name} saved." in html
    assert AuditEvent.objects.filter(action="order.update").count() == 1


def test_bad_header_input_is_shown_next_to_the_field_and_nothing_is_saved(client, seller):
    order = OrderFactory(client_reference="PO-1")
    client.force_login(seller)

    response = client.post(_detail(order), _header(order, order_date="2026-13-45", client_reference="PO-2"))

    assert response.status_code == 400
    form = response.context["header_form"]
    assert form.errors["order_date"] == ["Enter a date as YYYY-MM-DD, e.g. 2026-12-01."]
    html = response.content.decode()
    field_html = html[html.index('for="id_header-order_date"') :]
    assert field_html.index("Enter a date as YYYY-MM-DD") < field_html.index("</div>")
    order.refresh_from_db()
    assert order.client_reference == "PO-1"

    response = client.post(_detail(order), _header(order, customer=""))
    assert response.status_code == 400
    assert response.context["header_form"].errors["customer"] == ["This field is required."]


def test_header_of_a_confirmed_order_cannot_be_changed(client, seller):
    order = OrderFactory(state=Order.State.SALE, client_reference="PO-1")
    client.force_login(seller)

    page = client.get(_detail(order), {"edit": "header"}).content.decode()
    assert "Edit header" not in page and 'name="header-client_reference"' not in page

    response = client.post(_detail(order), _header(order, client_reference="PO-2"))

    assert response.status_code == 409
    assert "only quotations can be changed" in response.content.decode()
    order.refresh_from_db()
    assert order.client_reference == "PO-1"


def test_accountant_cannot_edit_the_header(client, accountant):
    order = OrderFactory(client_reference="PO-1")
    client.force_login(accountant)

    page = client.get(_detail(order), {"edit": "header"}).content.decode()
    assert "Edit header" not in page and 'name="header-client_reference"' not in page
    assert client.post(_detail(order), _header(order, client_reference="PO-2")).status_code == 403
    order.refresh_from_db()
    assert order.client_reference == "PO-1"
