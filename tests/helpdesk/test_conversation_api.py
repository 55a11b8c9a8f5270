"""/api/v1/tickets/{id}/messages/ (API.md): staff read notes and replies and write on their teams'
tickets; customers read and post the public messages of their own tickets only."""

import pytest

from helpdesk.models import Message, Ticket
from tests.conversation_data import pdf_upload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def url(ticket):
    return f"/api/v1/tickets/{ticket.pk}/messages/"


def test_agent_lists_replies_and_notes_with_attachments(api_as, world):
    response = api_as(world.agent).get(url(world.a.ticket))
    assert response.status_code == 200
    rows = response.json()
    assert [r["id"] for r in rows] == [world.a.customer_message.pk, world.a.reply.pk, world.a.note.pk]
    assert [r["internal"] for r in rows] == [False, False, True]
    attachment = rows[0]["attachments"][0]
    assert attachment["name"] == "screenshot.pdf"
    assert attachment["url"] == f"/helpdesk/attachments/{world.a.attachment.pk}/"
    assert set(rows[0]) >= {"id", "author", "body", "internal", "created_at", "attachments"}


def test_customer_lists_only_public_messages_without_the_internal_field(api_as, world):
    rows = api_as(world.a.user).get(url(world.a.ticket)).json()
    assert [r["id"] for r in rows] == [world.a.customer_message.pk, world.a.reply.pk]
    assert all("internal" not in r for r in rows)
    assert "secret note" not in str(rows)


def test_customer_posts_a_reply_with_a_file(api_as, world):
    response = api_as(world.a.user).post(
        url(world.a.ticket),
        {"body": "Here is the log", "attachments": [pdf_upload("log.pdf")]},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["author"] == world.a.user.pk and data["attachments"][0]["name"] == "log.pdf"
    world.a.ticket.refresh_from_db()
    assert world.a.ticket.waiting_for == Ticket.Turn.US


def test_customer_asking_for_an_internal_note_gets_a_field_error(api_as, world):
    response = api_as(world.a.user).post(url(world.a.ticket), {"body": "x", "internal": True}, format="json")
    assert response.status_code == 400
    assert "internal" in response.json()


def test_agent_posts_an_internal_note(api_as, world):
    response = api_as(world.agent).post(
        url(world.a.ticket), {"body": "Check DNS", "internal": True}, format="json"
    )
    assert response.status_code == 201
    assert Message.objects.get(pk=response.json()["id"]).internal is True


def test_sales_reads_but_may_not_write(api_as, world, seller):
    client = api_as(seller)
    assert client.get(url(world.a.ticket)).status_code == 200
    assert client.post(url(world.a.ticket), {"body": "Hi"}, format="json").status_code == 403


def test_superuser_reads_and_writes(api_as, world, django_user_model):
    boss = django_user_model.objects.create_superuser("boss", "boss@example.com", "pass-1234")
    client = api_as(boss)
    assert len(client.get(url(world.a.ticket)).json()) == 3
    assert client.post(url(world.a.ticket), {"body": "On it"}, format="json").status_code == 201


def test_bad_input_is_a_field_error_not_a_500(api_as, world):
    client = api_as(world.agent)
    assert client.post(url(world.a.ticket), {"body": ""}, format="json").status_code == 400
    big = pdf_upload("virus.exe", b"MZ")
    response = client.post(url(world.a.ticket), {"body": "x", "attachments": [big]}, format="multipart")
    assert response.status_code == 400 and "attachments" in response.json()


def test_customer_gets_404_for_another_customers_ticket_messages(api_as, world):
    client = api_as(world.a.user)
    assert client.get(url(world.b.ticket)).status_code == 404
    assert client.post(url(world.b.ticket), {"body": "Hi"}, format="json").status_code == 404
    assert client.get("/api/v1/tickets/999999/messages/").status_code == 404


def test_agent_of_another_team_gets_404(api_as, world):
    outsider = UserFactory(roles=["agent"])
    assert api_as(outsider).get(url(world.a.ticket)).status_code == 404


def test_anonymous_gets_401(api_client, world):
    assert api_client.get(url(world.a.ticket)).status_code == 401


def test_team_api_carries_the_portal_flag(api_as, world, admin_staff):
    data = api_as(admin_staff).get(f"/api/v1/teams/{world.team.pk}/").json()
    assert data["portal"] is True
    response = api_as(admin_staff).patch(f"/api/v1/teams/{world.team.pk}/", {"portal": False}, format="json")
    assert response.status_code == 200 and response.json()["portal"] is False
