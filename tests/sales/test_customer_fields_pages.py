"""Every page with a customer field or filter is the same size at 5 and 200 customers: the same
number of queries, no customer's name but the chosen one's (no <select> of every customer),
and the chosen customer kept in the search field (its id posted or in the URL, its name shown)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sales.form_fields import INVALID_CUSTOMER
from sales.models import Customer
from tests.factories import CustomerFactory, OrderFactory, TeamFactory

pytestmark = pytest.mark.django_db

# (url name, role, extra query string) — each page renders the customer search field.
PAGES = [
    ("helpdesk:ticket_create", "agent", ""),
    ("helpdesk:ticket_list", "agent", ""),
    ("helpdesk:pipeline", "agent", ""),
    ("sales:order_create", "sales", ""),
    ("sales:order_list", "sales", ""),
    ("invoicing:invoice_list", "accountant", ""),
    ("reports:hours", "sales", "&date_from=2026-01-01&date_to=2026-11-30"),
    ("reports:unbilled", "sales", "&date_from=2026-01-01&date_to=2026-11-30"),
    ("contracts:contract_new", "sales", ""),
]

FORMS = ("helpdesk:ticket_create", "sales:order_create", "contracts:contract_new")


def page_url(name, team, chosen, extra):
    url = reverse(name, args=[team.pk]) if name == "helpdesk:pipeline" else reverse(name)
    return f"{url}?customer={chosen.pk}{extra}" if chosen else url


def visit(client, url):
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), response.content.decode()


@pytest.mark.parametrize(("name", "role", "extra"), PAGES)
def test_the_page_does_not_grow_with_the_number_of_customers(users, name, role, extra):
    team = TeamFactory(members=[users["agent"]])
    client = Client()
    client.force_login(users[role])
    chosen = CustomerFactory(name="Chosen Customer")
    counts = {}
    for size in (5, 200):
        Customer.objects.bulk_create(
            Customer(name=f"Other customer {size}-{n:03d}") for n in range(size - Customer.objects.count())
        )
        for picked in (None, chosen):
            queries, html = visit(client, page_url(name, team, picked, extra))
            counts[size, picked is not None] = queries
            assert "Other customer" not in html
            assert 'role="combobox"' in html and "/sales/customers/search/" in html
            if picked is not None and name not in FORMS:  # a list keeps `?customer=` and names it
                assert 'value="Chosen Customer"' in html  # the filter shows the chosen name
                assert f'name="customer" type="hidden" value="{chosen.pk}"' in html
    assert counts[5, False] == counts[200, False], counts
    assert counts[5, True] == counts[200, True], counts


def post_as(user, url, data):
    client = Client()
    client.force_login(user)
    return client.post(url, data)


@pytest.mark.parametrize("posted", ["999999", "abc", "-3"])
def test_a_form_posted_with_an_unknown_customer_shows_a_field_error_not_a_500(users, posted):
    team = TeamFactory(members=[users["agent"]])
    forms = [
        (
            users["agent"],
            reverse("helpdesk:ticket_create") + f"?team={team.pk}",
            {"title": "X", "team": team.pk},
        ),
        (users["sales"], reverse("sales:order_create"), {"order_date": "2026-03-01"}),
        (users["sales"], reverse("contracts:contract_new"), {}),
    ]
    for user, url, data in forms:
        response = post_as(user, url, {**data, "customer": posted, "priority": 1})
        assert response.status_code == 200, url
        assert INVALID_CUSTOMER.replace("'", "&#x27;") in response.content.decode(), url


def test_a_form_redisplayed_with_errors_keeps_the_chosen_customer(users):
    """The customer's name in the search field and its id in the hidden input, after an error
    in another field."""
    team = TeamFactory(members=[users["agent"]])
    chosen = CustomerFactory(name="Initech")
    forms = [
        (
            users["agent"],
            reverse("helpdesk:ticket_create") + f"?team={team.pk}",
            {"title": "", "team": team.pk},
        ),
        (users["sales"], reverse("sales:order_create"), {"order_date": "31/31/2026"}),
        (users["sales"], reverse("contracts:contract_new"), {"hours_per_period": "-1"}),
    ]
    for user, url, data in forms:
        html = post_as(user, url, {**data, "customer": chosen.pk, "priority": 1}).content.decode()
        assert 'value="Initech"' in html, url
        assert f'name="customer" type="hidden" value="{chosen.pk}"' in html, url


def test_editing_shows_the_saved_customer_by_name(users, prepaid):
    client = Client()
    client.force_login(prepaid.agent)
    html = client.get(reverse("helpdesk:ticket_detail", args=[prepaid.ticket.pk])).content.decode()
    assert f'value="{prepaid.customer.name}"' in html
    assert f'name="customer" type="hidden" value="{prepaid.customer.pk}"' in html


def test_the_quotation_header_form_shows_its_customer_by_name(client, seller):
    order = OrderFactory(customer=CustomerFactory(name="Wayne Enterprises"))
    client.force_login(seller)
    html = client.get(reverse("sales:order_detail", args=[order.pk]), {"edit": "header"}).content.decode()
    assert 'id="id_header-customer"' in html and 'value="Wayne Enterprises"' in html
    assert f'name="header-customer" type="hidden" value="{order.customer_id}"' in html
    assert "<option" not in html.split('id="id_header-customer"')[1].split("</span></span>")[0]
