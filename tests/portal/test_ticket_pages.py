"""Portal ticket pages: open a ticket (portal teams only, attachments), read the public
conversation, reply, whose turn it is, hours per day; the agent's side of the conversation."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from helpdesk import conversation_services
from helpdesk.models import Message, Ticket
from invoicing.models import Invoice
from tests.conversation_data import pdf_upload
from tests.factories import InvoiceFactory, TeamFactory, TimesheetLineFactory

pytestmark = pytest.mark.django_db


def test_customer_opens_a_ticket_with_a_file(client_a, world):
    response = client_a.post(
        reverse("portal:ticket_create"),
        {
            "title": "Wi-Fi down",
            "team": world.team.pk,
            "description": "Since **9:00**",
            "attachments": [pdf_upload()],
        },
    )
    ticket = Ticket.objects.get(title="Wi-Fi down")
    assert response.status_code == 302 and response.url == reverse("portal:ticket_detail", args=[ticket.pk])
    assert ticket.customer == world.a.customer and ticket.waiting_for == Ticket.Turn.US
    html = client_a.get(response.url).content.decode()
    assert "<strong>9:00</strong>" in html and "screenshot.pdf" in html


def test_new_ticket_form_offers_only_portal_teams(client_a, world):
    hidden = TeamFactory(name="Internal IT", portal=False)
    form = client_a.get(reverse("portal:ticket_create")).context["form"]
    assert list(form.fields["team"].queryset) == [world.team]
    response = client_a.post(reverse("portal:ticket_create"), {"title": "Sneaky", "team": hidden.pk})
    assert response.status_code == 400 and "team" in response.context["form"].errors
    assert not Ticket.objects.filter(title="Sneaky").exists()


def test_new_ticket_without_title_is_a_field_error(client_a, world):
    response = client_a.post(reverse("portal:ticket_create"), {"title": "", "team": world.team.pk})
    assert response.status_code == 400 and "title" in response.context["form"].errors


def test_customer_replies_and_the_turn_is_ours(client_a, world):
    url = reverse("portal:ticket_reply", args=[world.a.ticket.pk])
    response = client_a.post(
        url, {"msg-body": "Thanks, works now", "msg-attachments": [pdf_upload("ok.pdf")]}
    )
    assert response.status_code == 302
    message = Message.objects.get(body="Thanks, works now")
    assert message.from_customer and not message.internal and message.attachments.get().name == "ok.pdf"
    world.a.ticket.refresh_from_db()
    assert world.a.ticket.waiting_for == Ticket.Turn.US


def test_customer_cannot_smuggle_an_internal_note_through_the_form(client_a, world):
    url = reverse("portal:ticket_reply", args=[world.a.ticket.pk])
    client_a.post(url, {"msg-body": "hidden?", "msg-internal": "on"})
    assert Message.objects.get(body="hidden?").internal is False


def test_empty_reply_shows_an_error(client_a, world):
    response = client_a.post(reverse("portal:ticket_reply", args=[world.a.ticket.pk]), {"msg-body": " "})
    assert response.status_code == 400 and "body" in response.context["message_form"].errors


def test_ticket_page_shows_stage_turn_and_hours_per_day_without_people_or_costs(client_a, world):
    day = datetime.date(2026, 11, 2)
    for hours in ("1.50", "0.75"):
        TimesheetLineFactory(
            ticket=world.a.ticket,
            date=day,
            hours=Decimal(hours),
            project=world.team.project,
            employee=world.agent,
        )
    conversation_services.message_post(ticket=world.a.ticket, author=world.agent, body="Done?")
    response = client_a.get(reverse("portal:ticket_detail", args=[world.a.ticket.pk]))
    assert response.context["hours_per_day"] == [{"date": day, "hours": Decimal("2.25")}]
    html = response.content.decode()
    assert "2.25 h" in html and "Waiting for you" in html and world.a.ticket.stage.name in html
    assert world.agent.last_name not in html.split('id="hours"')[1]


def test_home_lists_tickets_waiting_for_the_customer_first(client_a, world):
    other = conversation_services.ticket_open_from_portal(user=world.a.user, team=world.team, title="Second")
    conversation_services.message_post(ticket=world.a.ticket, author=world.agent, body="Your turn")
    tickets = list(client_a.get(reverse("portal:home")).context["tickets"])
    assert tickets[:2] == [world.a.ticket, other]


def test_portal_invoices_show_credit_notes_negative_and_never_drafts(client_a, world):
    credit = InvoiceFactory(
        customer=world.a.customer,
        kind=Invoice.Kind.CREDIT_NOTE,
        state=Invoice.State.POSTED,
        number="RINV/2026/00001",
        amount_total=Decimal("100.00"),
        invoice_date=datetime.date(2026, 11, 3),
        due_date=datetime.date(2026, 12, 3),
    )
    response = client_a.get(reverse("portal:home"))
    rows = {i.pk: i for i in response.context["invoices"]}
    assert world.a.draft.pk not in rows
    assert rows[credit.pk].signed_total == Decimal("-100.00")
    assert rows[world.a.invoice.pk].signed_total == world.a.invoice.amount_total
    html = response.content.decode()
    assert "-100.00" in html and "2026-12-03" in html


@pytest.mark.parametrize("extra", [2, 30])
def test_portal_ticket_page_query_count_does_not_grow_with_messages(
    client_a, world, extra, django_assert_num_queries
):
    for i in range(extra):
        author = world.agent if i % 2 else world.a.user
        files = [pdf_upload(f"f{i}.pdf")] if i % 3 == 0 else []
        conversation_services.message_post(
            ticket=world.a.ticket, author=author, body=f"Message {i}", files=files
        )
        TimesheetLineFactory(
            ticket=world.a.ticket,
            date=datetime.date(2026, 10, 1) + datetime.timedelta(days=i),
            project=world.team.project,
            employee=world.agent,
        )
    url = reverse("portal:ticket_detail", args=[world.a.ticket.pk])
    # savepoint, session, user, roles, ticket, messages, attachments, hours per day, release
    with django_assert_num_queries(9):
        response = client_a.get(url)
    assert f"Message {extra - 1}" in response.content.decode()


@pytest.mark.parametrize("extra", [2, 30])
def test_agent_ticket_page_query_count_does_not_grow_with_messages(
    client, world, extra, django_assert_num_queries
):
    for i in range(extra):
        files = [pdf_upload(f"f{i}.pdf")] if i % 3 == 0 else []
        conversation_services.message_post(
            ticket=world.a.ticket, author=world.agent, body=f"Note {i}", internal=bool(i % 2), files=files
        )
    client.force_login(world.agent)
    url = reverse("helpdesk:ticket_detail", args=[world.a.ticket.pk])
    client.get(url)
    with django_assert_num_queries(AGENT_TICKET_PAGE_QUERIES):
        response = client.get(url)
    assert f"Note {extra - 1}" in response.content.decode()


AGENT_TICKET_PAGE_QUERIES = 20  # with the History card; the customer is a search field (no options query)


# --- The agent's side -----------------------------------------------------------------------
def test_agent_posts_a_reply_and_a_note_from_the_ticket_page(client, world):
    client.force_login(world.agent)
    url = reverse("helpdesk:ticket_message_post", args=[world.a.ticket.pk])
    assert client.post(url, {"msg-body": "Public answer"}).status_code == 302
    assert client.post(url, {"msg-body": "Private thought", "msg-internal": "on"}).status_code == 302
    assert Message.objects.get(body="Public answer").internal is False
    assert Message.objects.get(body="Private thought").internal is True
    html = client.get(reverse("helpdesk:ticket_detail", args=[world.a.ticket.pk])).content.decode()
    assert "Internal note" in html and "Private thought" in html


def test_agent_reply_by_htmx_answers_the_section_with_errors_kept(client, world):
    client.force_login(world.agent)
    url = reverse("helpdesk:ticket_message_post", args=[world.a.ticket.pk])
    response = client.post(url, {"msg-body": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Write a message or attach a file." in response.content.decode()


@pytest.mark.parametrize("role", ["sales", "accountant"])
def test_readers_see_the_conversation_but_cannot_post(client, world, role):
    from tests.factories import UserFactory

    client.force_login(UserFactory(roles=[role]))
    html = client.get(reverse("helpdesk:ticket_detail", args=[world.a.ticket.pk])).content.decode()
    assert "We are on it." in html and "msg-body" not in html
    url = reverse("helpdesk:ticket_message_post", args=[world.a.ticket.pk])
    assert client.post(url, {"msg-body": "Hi"}).status_code == 403


def test_markdown_is_rendered_safely(client, world):
    conversation_services.message_post(
        ticket=world.a.ticket,
        author=world.a.user,
        body="<script>alert(1)</script>[x](javascript:alert(2)) **ok**",
    )
    client.force_login(world.agent)
    html = client.get(reverse("helpdesk:ticket_detail", args=[world.a.ticket.pk])).content.decode()
    assert "<strong>ok</strong>" in html
    assert "alert(1)" not in html and "javascript:" not in html


def test_agent_ticket_list_puts_tickets_waiting_for_us_first(client, world):
    conversation_services.message_post(ticket=world.b.ticket, author=world.agent, body="Your turn")
    conversation_services.message_post(ticket=world.a.ticket, author=world.a.user, body="Help")
    client.force_login(world.agent)
    tickets = list(client.get(reverse("helpdesk:ticket_list")).context["tickets"])
    assert tickets.index(world.a.ticket) < tickets.index(world.b.ticket)


@pytest.mark.parametrize("n_teams", [1, 12])
def test_new_ticket_page_query_count_does_not_grow_with_teams(
    client_a, world, n_teams, django_assert_num_queries
):
    for _ in range(n_teams - 1):
        TeamFactory(portal=True)
    # savepoint, session, user, roles, customers (count, then the hidden field), teams, release
    with django_assert_num_queries(8):
        response = client_a.get(reverse("portal:ticket_create"))
    assert len(response.context["form"].fields["team"].queryset) == n_teams
