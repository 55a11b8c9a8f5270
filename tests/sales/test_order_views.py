"""Order screens that need no engine: list, filters, roles, draft detail, live line amounts."""

from decimal import Decimal

import pytest
from django.urls import reverse

from sales.models import Order
from tests.factories import (
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    TaxFactory,
    UserFactory,
    uom,
)

pytestmark = pytest.mark.django_db

LIST = reverse("sales:order_list")


def test_order_screens_are_forbidden_to_customers(client, customer_user):
    order = OrderFactory()
    client.force_login(customer_user)
    for url in (
        LIST,
        reverse("sales:order_detail", args=[order.pk]),
        reverse("sales:order_create"),
        reverse("invoicing:order_invoice_create", args=[order.pk]),
    ):
        assert client.get(url).status_code == 403, url
    for name in ("order_confirm", "order_lock", "order_cancel", "order_line_save"):
        assert client.post(reverse(f"sales:{name}", args=[order.pk])).status_code == 403


@pytest.mark.parametrize("role", ["agent", "admin"])
def test_agents_and_admins_read_orders_as_the_api_lets_them_but_change_nothing(client, role):
    order = OrderFactory()
    client.force_login(UserFactory(username=f"u-{role}", roles=[role]))
    html = client.get(reverse("sales:order_detail", args=[order.pk])).content.decode()
    assert order.name in html and "Confirm" not in html and "Create invoice" not in html
    assert client.get(LIST).status_code == 200
    assert client.get(reverse("sales:order_create")).status_code == 403
    assert client.get(reverse("invoicing:order_invoice_create", args=[order.pk])).status_code == 403
    for name in ("order_confirm", "order_lock", "order_cancel", "order_line_save"):
        assert client.post(reverse(f"sales:{name}", args=[order.pk])).status_code == 403


def test_accountant_reads_orders_and_invoices_them_but_cannot_change_them(client, accountant):
    order = OrderFactory()
    client.force_login(accountant)
    html = client.get(reverse("sales:order_detail", args=[order.pk])).content.decode()
    assert order.name in html and "Confirm" not in html and "Add a line" not in html
    assert client.post(reverse("sales:order_confirm", args=[order.pk])).status_code == 403
    assert client.get(reverse("sales:order_create")).status_code == 403
    # Sales and accountants create invoices (core.policy "invoice.create"), as in the API.
    assert client.get(reverse("invoicing:order_invoice_create", args=[order.pk])).status_code == 200


def test_list_filters_and_search(client, seller):
    acme = CustomerFactory(name="Acme")
    bob = UserFactory(username="bob", roles=["sales"])
    draft = OrderFactory(customer=acme, client_reference="PO-1")
    sale = OrderFactory(state=Order.State.SALE, invoice_status="to_invoice", salesperson=bob)
    upsell = OrderFactory(state=Order.State.SALE, is_upsell=True)
    client.force_login(seller)

    def names(**params):
        return {o.name for o in client.get(LIST, params).context["page"]}

    assert names() == {draft.name, sale.name, upsell.name}
    assert names(state="draft") == {draft.name}
    assert names(invoice_status="to_invoice") == {sale.name}
    assert names(customer=acme.pk) == {draft.name}
    assert names(salesperson=bob.pk) == {sale.name}
    assert names(upsell="on") == {upsell.name}
    assert names(q="po-1") == {draft.name}
    assert names(q="acme") == {draft.name}
    assert client.get(LIST, {"state": "bogus", "customer": "x"}).status_code == 200


def test_list_is_paginated(client, seller):
    customer = CustomerFactory()
    for _ in range(30):
        OrderFactory(customer=customer, salesperson=seller)
    client.force_login(seller)
    response = client.get(LIST, {"page": 2})
    assert len(response.context["page"]) == 5 and "Page 2 of 2" in response.content.decode()


@pytest.mark.parametrize("size", [3, 30])
def test_order_list_runs_a_constant_number_of_queries(client, seller, django_assert_num_queries, size):
    for _ in range(size):
        OrderFactory(customer=CustomerFactory(), salesperson=seller)
    client.force_login(seller)
    client.get(LIST)
    # savepoints, session, user, groups, count, rows, salesperson select of the filter (the
    # customer is a search field: no query for its choices)
    with django_assert_num_queries(8):
        assert client.get(LIST).status_code == 200


def test_draft_detail_shows_lines_with_edit_controls_and_totals(client, seller):
    tax = TaxFactory(rate=Decimal("21.000"))
    line = OrderLineFactory(
        product=ProductFactory(name="Consulting", tax=tax),
        quantity=Decimal("3.00"),
        price_subtotal=Decimal("1500.00"),
    )
    client.force_login(seller)
    html = client.get(reverse("sales:order_detail", args=[line.order.pk])).content.decode()
    assert "Quotation " + line.order.name in html
    assert "Consulting" in html and "Add a line" in html and "Confirm" in html and "Edit" in html
    assert "Remaining hours" not in html  # only on confirmed orders


def test_line_form_row_and_product_defaults_fill_unit_price_tax(client, seller):
    order = OrderFactory()
    tax = TaxFactory(rate=Decimal("21.000"))
    product = ProductFactory(name="Service on Timesheets", timesheet=True, tax=tax)
    client.force_login(seller)
    form = client.get(reverse("sales:order_line_form", args=[order.pk]), headers={"HX-Request": "true"})
    assert form.status_code == 200 and 'id="line-row-new"' in form.content.decode()
    response = client.post(
        reverse("sales:order_line_product", args=[order.pk]),
        {"key": "new", "product": product.pk, "quantity": "2"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert f'<option value="{uom("Hours").pk}" selected>Hours</option>' in html
    assert 'value="100.00"' in html and f'<option value="{tax.pk}" selected>' in html
    assert 'id="amt-sub-new">200.00 EUR<' in html and 'id="amt-total-new">242.00 EUR<' in html


def test_live_amounts_are_computed_with_discount_and_tax_and_included_in_order_totals(client, seller):
    tax = TaxFactory(rate=Decimal("21.000"))
    line = OrderLineFactory(price_subtotal=Decimal("100.00"), price_tax=Decimal("21.00"))
    order = line.order
    Order.objects.filter(pk=order.pk).update(
        amount_untaxed=Decimal("300.00"), amount_tax=Decimal("63.00"), amount_total=Decimal("363.00")
    )
    client.force_login(seller)
    url = reverse("sales:order_line_compute", args=[order.pk])
    figures = {"quantity": "3", "price_unit": "99.99", "discount": "10", "tax": tax.pk}
    html = client.post(url, {"key": "new", **figures}).content.decode()
    assert 'id="amt-sub-new" hx-swap-oob="true">269.97 EUR<' in html
    assert 'id="amt-tax-new" hx-swap-oob="true">56.69 EUR<' in html
    assert 'id="amt-total-new" hx-swap-oob="true">326.66 EUR<' in html
    assert 'id="order-total" hx-swap-oob="true">689.66 EUR<' in html  # 363.00 + the new line
    html = client.post(url, {"key": line.pk, **figures}).content.decode()
    assert 'id="order-untaxed" hx-swap-oob="true">469.97 EUR<' in html  # its stored 100.00 replaced
    assert 'id="order-total" hx-swap-oob="true">568.66 EUR<' in html


def test_line_of_another_order_is_a_404(client, seller):
    mine, other = OrderFactory(), OrderLineFactory()
    client.force_login(seller)
    url = reverse("sales:order_line_form", args=[mine.pk]) + f"?line={other.pk}"
    assert client.get(url).status_code == 404
    assert client.post(reverse("sales:order_line_delete", args=[mine.pk, other.pk])).status_code == 404


def test_bad_line_input_shows_errors_next_to_fields(client, seller):
    order = OrderFactory()
    client.force_login(seller)
    response = client.post(
        reverse("sales:order_line_save", args=[order.pk]),
        {"key": "new", "product": "", "quantity": "-1", "price_unit": "abc", "discount": "150"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="line-row-new"' in html
    assert "This field is required" in html and "greater than or equal to 0" in html
    assert "Enter a number" in html and "less than or equal to 100" in html
    assert not order.lines.exists()
