"""Customer screens: list, search, create/edit with field errors, detail with orders/tickets/invoices."""

import pytest
from django.urls import reverse

from sales.models import Customer
from tests.factories import CustomerFactory, InvoiceFactory, OrderFactory, TicketFactory

pytestmark = pytest.mark.django_db


def test_customer_screens_are_forbidden_to_portal_customers(client, customer_user):
    customer = CustomerFactory()
    client.force_login(customer_user)
    for url in (
        reverse("sales:customer_list"),
        reverse("sales:customer_detail", args=[customer.pk]),
        reverse("sales:customer_create"),
        reverse("sales:customer_edit", args=[customer.pk]),
    ):
        assert client.get(url).status_code == 403, url


def test_agents_read_customers_without_their_invoices_and_cannot_edit(client, agent):
    customer = CustomerFactory(name="Readable Ltd")
    InvoiceFactory(customer=customer)
    client.force_login(agent)
    html = client.get(reverse("sales:customer_detail", args=[customer.pk])).content.decode()
    assert "Readable Ltd" in html and "<h2>Invoices</h2>" not in html and "New quotation" not in html
    assert client.get(reverse("sales:customer_edit", args=[customer.pk])).status_code == 403


def test_admins_edit_customers_as_in_the_api_and_the_django_admin(client, admin_staff):
    customer = CustomerFactory(name="Managed Ltd")
    client.force_login(admin_staff)
    assert client.get(reverse("sales:customer_edit", args=[customer.pk])).status_code == 200
    html = client.get(reverse("sales:customer_detail", args=[customer.pk])).content.decode()
    assert "Portal users" in html and "New quotation" not in html  # quotations are the sales'


def test_accountant_reads_customers_but_cannot_edit(client, accountant):
    customer = CustomerFactory(name="Readable Ltd")
    client.force_login(accountant)
    assert "Readable Ltd" in client.get(reverse("sales:customer_list")).content.decode()
    assert client.get(reverse("sales:customer_edit", args=[customer.pk])).status_code == 403
    assert client.post(reverse("sales:customer_create"), {"name": "X"}).status_code == 403


def test_list_searches_by_name_vat_city(client, seller):
    CustomerFactory(name="Initech", city="Austin", vat="US123")
    CustomerFactory(name="Umbrella", city="Raccoon City", vat="US999")
    client.force_login(seller)
    response = client.get(reverse("sales:customer_list"), {"q": "raccoon"})
    assert [c.name for c in response.context["page"]] == ["Umbrella"]
    assert client.get(reverse("sales:customer_list"), {"q": "US123"}).context["page"][0].name == "Initech"


@pytest.mark.parametrize("size", [2, 20])
def test_customer_list_runs_a_constant_number_of_queries(client, seller, django_assert_num_queries, size):
    for _ in range(size):
        OrderFactory(customer=CustomerFactory())
    client.force_login(seller)
    client.get(reverse("sales:customer_list"))
    with django_assert_num_queries(7):
        assert client.get(reverse("sales:customer_list")).status_code == 200


def test_sales_creates_a_customer(client, seller):
    client.force_login(seller)
    response = client.post(
        reverse("sales:customer_create"),
        {"name": "Hooli", "email": "ap@hooli.example", "country": "be", "payment_term_days": "15"},
    )
    customer = Customer.objects.get(name="Hooli")
    assert response.status_code == 302 and response["Location"] == reverse(
        "sales:customer_detail", args=[customer.pk]
    )
    assert customer.country == "BE" and customer.payment_term_days == 15


def test_bad_customer_input_shows_field_errors_and_writes_nothing(client, seller):
    client.force_login(seller)
    response = client.post(
        reverse("sales:customer_create"),
        {"name": "", "email": "not-an-email", "country": "B1", "payment_term_days": "-3"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "This field is required" in html and "Enter a valid email address" in html
    assert "two-letter ISO country code" in html and "greater than or equal to 0" in html
    assert not Customer.objects.exists()


def test_sales_edits_a_customer(client, seller):
    customer = CustomerFactory(name="Old name")
    client.force_login(seller)
    response = client.post(
        reverse("sales:customer_edit", args=[customer.pk]),
        {"name": "New name", "email": "x@y.example", "country": "FR", "payment_term_days": "30"},
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.name == "New name"
    assert client.get(reverse("sales:customer_edit", args=[999999])).status_code == 404


def test_detail_lists_orders_tickets_and_invoices(client, seller):
    customer = CustomerFactory(name="Detail Co")
    OrderFactory(customer=customer, name="SOT99901")
    TicketFactory(customer=customer, title="Printer on fire")
    InvoiceFactory(customer=customer)
    client.force_login(seller)
    html = client.get(reverse("sales:customer_detail", args=[customer.pk])).content.decode()
    assert "SOT99901" in html and "Printer on fire" in html and "Draft invoice #" in html
