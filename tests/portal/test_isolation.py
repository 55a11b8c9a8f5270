"""Isolation: what customer A's lists and pages show never includes customer B's rows, nor A's
internal notes. (The 404 for each of B's objects by URL and by API, and the 403 of every staff
endpoint, are in the role matrix: tests/security/test_role_matrix.py.)"""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_api_lists_never_show_another_customers_rows(api_as, world):
    client = api_as(world.a.user)
    messages = client.get(f"/api/v1/tickets/{world.a.ticket.pk}/messages/").json()
    assert {m["id"] for m in messages} == {world.a.customer_message.pk, world.a.reply.pk}
    orders = client.get("/api/v1/orders/").json()["results"]
    assert {o["id"] for o in orders} == {world.a.order.pk}
    invoices = client.get("/api/v1/invoices/").json()["results"]
    assert {i["id"] for i in invoices} == {world.a.invoice.pk}


def test_portal_home_shows_nothing_of_another_customer(client_a, world):
    html = client_a.get(reverse("portal:home")).content.decode()
    assert world.a.ticket.title in html and world.a.invoice.number in html
    assert world.b.ticket.title not in html and world.b.invoice.number not in html
    assert world.b.customer.name not in html


def test_portal_ticket_page_never_shows_internal_notes(client_a, world):
    html = client_a.get(reverse("portal:ticket_detail", args=[world.a.ticket.pk])).content.decode()
    assert "We are on it." in html and "It is on fire." in html
    assert "secret note" not in html and "note.pdf" not in html
