"""Isolation: as customer A, every portal URL and API endpoint that takes an id answers 404 for
customer B's tickets, messages, attachments, orders and invoices (and for A's own drafts and
internal notes' files). Customers never reach staff-only endpoints at all (403)."""

import pytest
from django.urls import reverse

from tests.conversation_data import conversation_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return conversation_world()


@pytest.fixture
def client_a(client, world):
    client.force_login(world.a.user)
    return client


def foreign_page_urls(world) -> list[tuple[str, str]]:
    b = world.b
    return [
        ("get", reverse("portal:ticket_detail", args=[b.ticket.pk])),
        ("post", reverse("portal:ticket_reply", args=[b.ticket.pk])),
        ("get", reverse("portal:invoice_pdf", args=[b.invoice.pk])),
        ("get", reverse("portal:invoice_pdf", args=[world.a.draft.pk])),  # own draft: not shown
        ("get", reverse("helpdesk:attachment_download", args=[b.attachment.pk])),
        ("get", reverse("helpdesk:attachment_download", args=[b.note_attachment.pk])),
        ("get", reverse("helpdesk:attachment_download", args=[world.a.note_attachment.pk])),  # own note
    ]


def test_every_portal_url_with_another_customers_id_answers_404(client_a, world):
    for method, url in foreign_page_urls(world):
        data = {"msg-body": "Let me in"} if method == "post" else None
        response = getattr(client_a, method)(url, data) if data else getattr(client_a, method)(url)
        assert response.status_code == 404, (method, url, response.status_code)
    assert not world.b.ticket.messages.filter(author=world.a.user).exists()


def test_the_same_urls_with_own_ids_answer_200(client_a, world):
    a = world.a
    for url in (
        reverse("portal:ticket_detail", args=[a.ticket.pk]),
        reverse("portal:invoice_pdf", args=[a.invoice.pk]),
        reverse("helpdesk:attachment_download", args=[a.attachment.pk]),
    ):
        response = client_a.get(url)
        assert response.status_code == 200, url


def test_every_api_endpoint_with_another_customers_id_answers_404(api_as, world):
    client = api_as(world.a.user)
    b = world.b
    for method, url in [
        ("get", f"/api/v1/tickets/{b.ticket.pk}/messages/"),
        ("post", f"/api/v1/tickets/{b.ticket.pk}/messages/"),
        ("get", f"/api/v1/orders/{b.order.pk}/"),
        ("get", f"/api/v1/invoices/{b.invoice.pk}/"),
        ("get", f"/api/v1/invoices/{b.invoice.pk}/pdf/"),
        ("get", f"/api/v1/invoices/{world.a.draft.pk}/"),
    ]:
        response = client.post(url, {"body": "x"}, format="json") if method == "post" else client.get(url)
        assert response.status_code == 404, (method, url, response.status_code)


def test_api_lists_never_show_another_customers_rows(api_as, world):
    client = api_as(world.a.user)
    messages = client.get(f"/api/v1/tickets/{world.a.ticket.pk}/messages/").json()
    assert {m["id"] for m in messages} == {world.a.customer_message.pk, world.a.reply.pk}
    orders = client.get("/api/v1/orders/").json()["results"]
    assert {o["id"] for o in orders} == {world.a.order.pk}
    invoices = client.get("/api/v1/invoices/").json()["results"]
    assert {i["id"] for i in invoices} == {world.a.invoice.pk}


def test_customers_are_refused_staff_endpoints_whatever_the_id(api_as, world):
    client = api_as(world.a.user)
    for url in (
        f"/api/v1/tickets/{world.a.ticket.pk}/",
        f"/api/v1/tickets/{world.b.ticket.pk}/",
        f"/api/v1/customers/{world.b.customer.pk}/portal_users/",
    ):
        assert client.get(url).status_code == 403, url


def test_portal_home_shows_nothing_of_another_customer(client_a, world):
    html = client_a.get(reverse("portal:home")).content.decode()
    assert world.a.ticket.title in html and world.a.invoice.number in html
    assert world.b.ticket.title not in html and world.b.invoice.number not in html
    assert world.b.customer.name not in html


def test_portal_ticket_page_never_shows_internal_notes(client_a, world):
    html = client_a.get(reverse("portal:ticket_detail", args=[world.a.ticket.pk])).content.decode()
    assert "We are on it." in html and "It is on fire." in html
    assert "secret note" not in html and "note.pdf" not in html


def test_staff_are_refused_the_customer_portal(client, world):
    client.force_login(world.agent)
    assert client.get(reverse("portal:ticket_detail", args=[world.a.ticket.pk])).status_code == 403
