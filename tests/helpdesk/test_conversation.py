"""Ticket conversation services: replies and internal notes, whose turn it is, attachments
(limits, allow-list, storage), and the e-mails a reply sends."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage

from core.errors import DomainError
from helpdesk import conversation_selectors as selectors
from helpdesk import conversation_services as services
from helpdesk.models import Attachment, Message, Ticket
from tests.conversation_data import PNG_BYTES, pdf_upload
from tests.factories import TeamFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_agent_reply_is_public_and_hands_the_turn_to_the_customer(world):
    ticket = world.a.ticket
    message = services.message_post(ticket=ticket, author=world.agent, body="Fixed, please check.")
    ticket.refresh_from_db()
    assert (message.internal, message.from_customer) == (False, False)
    assert ticket.waiting_for == Ticket.Turn.CUSTOMER
    assert ticket.last_message_at == message.created_at


def test_customer_reply_hands_the_turn_to_us(world):
    ticket = world.a.ticket
    message = services.message_post(ticket=ticket, author=world.a.user, body="Still broken.")
    ticket.refresh_from_db()
    assert message.from_customer is True
    assert ticket.waiting_for == Ticket.Turn.US
    assert ticket.last_message_at == message.created_at


def test_internal_note_changes_neither_the_turn_nor_the_last_message_time(world):
    ticket = world.a.ticket
    ticket.refresh_from_db()
    before = (ticket.waiting_for, ticket.last_message_at)
    services.message_post(ticket=ticket, author=world.agent, body="Call them tomorrow.", internal=True)
    ticket.refresh_from_db()
    assert (ticket.waiting_for, ticket.last_message_at) == before


def test_customer_cannot_write_an_internal_note(world):
    with pytest.raises(DomainError) as error:
        services.message_post(ticket=world.a.ticket, author=world.a.user, body="psst", internal=True)
    assert error.value.field == "internal"


def test_customer_cannot_write_on_another_customers_ticket(world):
    with pytest.raises(DomainError):
        services.message_post(ticket=world.b.ticket, author=world.a.user, body="Hello")
    assert not Message.objects.filter(author=world.a.user, ticket=world.b.ticket).exists()


def test_agent_of_another_team_cannot_write_on_the_ticket(world):
    outsider = UserFactory(roles=["agent"])
    TeamFactory(members=[outsider])
    with pytest.raises(DomainError):
        services.message_post(ticket=world.a.ticket, author=outsider, body="Hi")


def test_superuser_may_write_replies_and_notes(world, django_user_model):
    boss = django_user_model.objects.create_superuser("boss", "boss@example.com", "pass-1234")
    note = services.message_post(ticket=world.a.ticket, author=boss, body="Noted.", internal=True)
    assert note.internal is True


def test_empty_message_is_refused(world):
    with pytest.raises(DomainError) as error:
        services.message_post(ticket=world.a.ticket, author=world.agent, body="   ")
    assert error.value.field == "body"


def test_customers_read_public_messages_only_staff_read_notes_too(world):
    customer_view = selectors.ticket_messages(ticket=world.a.ticket, user=world.a.user)
    staff_view = selectors.ticket_messages(ticket=world.a.ticket, user=world.agent)
    assert world.a.note not in customer_view
    assert [m.pk for m in customer_view] == [world.a.customer_message.pk, world.a.reply.pk]
    assert [m.pk for m in staff_view] == [world.a.customer_message.pk, world.a.reply.pk, world.a.note.pk]


# --- Attachments ----------------------------------------------------------------------------
def test_attachment_is_stored_through_the_storage_under_the_media_root_with_a_random_name(world):
    attachment = world.a.attachment
    assert (attachment.name, attachment.size, attachment.content_type) == (
        "screenshot.pdf",
        len(pdf_upload().read()),
        "application/pdf",
    )
    assert default_storage.exists(attachment.file.name)
    path = Path(default_storage.path(attachment.file.name))
    assert Path(settings.MEDIA_ROOT) in path.parents
    assert "screenshot" not in path.name and path.suffix == ".pdf"


def test_attachment_over_the_size_limit_is_refused_and_nothing_is_written(world, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    count = Message.objects.count()
    big = pdf_upload("big.pdf", b"%PDF" + b"x" * 2000)
    with pytest.raises(DomainError, match="larger than"):
        services.message_post(ticket=world.a.ticket, author=world.agent, body="See file", files=[big])
    assert Message.objects.count() == count


@pytest.mark.parametrize("name", ["virus.exe", "page.html", "drawing.svg", "script.js", "noextension"])
def test_attachment_type_off_the_allow_list_is_refused(world, name):
    upload = pdf_upload(name, b"MZ\x90\x00 binary")
    with pytest.raises(DomainError, match="not accepted") as error:
        services.message_post(ticket=world.a.ticket, author=world.a.user, body="Look", files=[upload])
    assert error.value.field == "attachments"


def test_attachment_whose_content_does_not_match_its_type_is_refused(world):
    fake = pdf_upload("invoice.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(DomainError, match="not a real .pdf"):
        services.message_post(ticket=world.a.ticket, author=world.a.user, body="Look", files=[fake])


def test_one_bad_file_refuses_the_whole_message(world):
    good = pdf_upload("good.pdf")
    bad = pdf_upload("bad.exe", b"MZ")
    files_before = Attachment.objects.count()
    with pytest.raises(DomainError):
        services.message_post(ticket=world.a.ticket, author=world.agent, body="Two files", files=[good, bad])
    assert Attachment.objects.count() == files_before


def test_too_many_files_are_refused(world, settings):
    settings.ATTACHMENT_MAX_FILES = 2
    files = [pdf_upload(f"f{i}.pdf") for i in range(3)]
    with pytest.raises(DomainError, match="At most 2 files"):
        services.message_post(ticket=world.a.ticket, author=world.agent, body="Files", files=files)


def test_a_message_may_be_only_a_file(world):
    image = pdf_upload("photo.png", PNG_BYTES)
    message = services.message_post(ticket=world.a.ticket, author=world.a.user, body="", files=[image])
    assert message.attachments.get().content_type == "image/png"


def test_attachment_readable_by_own_customer_and_staff_only(world):
    from django.http import Http404

    attachment = world.a.attachment
    assert selectors.attachment_get_readable(user=world.a.user, attachment_id=attachment.pk) == attachment
    assert selectors.attachment_get_readable(user=world.agent, attachment_id=attachment.pk) == attachment
    with pytest.raises(Http404):
        selectors.attachment_get_readable(user=world.b.user, attachment_id=attachment.pk)
    with pytest.raises(Http404):  # a note's file, even on their own ticket
        selectors.attachment_get_readable(user=world.a.user, attachment_id=world.a.note_attachment.pk)


# --- E-mails --------------------------------------------------------------------------------
def test_reply_is_mailed_to_each_portal_user_of_the_customer_after_commit(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    colleague = UserFactory(username="globex-2", email="second@globex.example", roles=["customer"])
    world.a.customer.portal_users.add(colleague)
    gone = UserFactory(
        username="globex-gone", email="gone@globex.example", roles=["customer"], is_active=False
    )
    world.a.customer.portal_users.add(gone)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        message = services.message_post(
            ticket=world.a.ticket, author=world.agent, body="**Fixed**: the toner was empty."
        )
    assert sorted(m.to[0] for m in mailoutbox) == sorted([world.a.user.email, "second@globex.example"])
    mail = mailoutbox[0]
    assert len(mail.to) == 1  # one mail each: nobody sees another's address
    assert mail.subject == f"[Ticket #{world.a.ticket.pk}] {world.a.ticket.title}"
    assert "**Fixed**: the toner was empty." in mail.body
    assert f"/portal/tickets/{world.a.ticket.pk}/" in mail.body
    message.refresh_from_db()
    assert message.notified_at is not None


def test_internal_note_is_never_mailed(world, mailoutbox, django_capture_on_commit_callbacks):
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        note = services.message_post(ticket=world.a.ticket, author=world.agent, body="secret", internal=True)
    assert callbacks == []
    assert services.message_notify(message_id=note.pk) == "skipped"
    assert mailoutbox == []


def test_customer_reply_is_mailed_to_the_assignee_not_to_the_customer(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    Ticket.objects.filter(pk=world.a.ticket.pk).update(assignee=world.agent)
    world.a.ticket.refresh_from_db()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.message_post(ticket=world.a.ticket, author=world.a.user, body="Any news?")
    assert [m.to for m in mailoutbox] == [[world.agent.email]]
    assert f"/helpdesk/tickets/{world.a.ticket.pk}/" in mailoutbox[0].body


def test_a_message_is_mailed_once_even_if_the_task_runs_twice(world, mailoutbox):
    message = services.message_post(ticket=world.a.ticket, author=world.agent, body="Once")
    mailoutbox.clear()
    assert services.message_notify(message_id=message.pk) == "sent 1"
    assert services.message_notify(message_id=message.pk) == "skipped"
    assert len(mailoutbox) == 1


# --- Customers open tickets -----------------------------------------------------------------
def test_customer_opens_a_ticket_in_a_portal_team_for_their_own_customer(world):
    ticket = services.ticket_open_from_portal(
        user=world.a.user, team=world.team, title="Scanner", description="Jams", files=[pdf_upload()]
    )
    assert (ticket.customer, ticket.team, ticket.waiting_for) == (
        world.a.customer,
        world.team,
        Ticket.Turn.US,
    )
    assert ticket.messages.get().attachments.count() == 1


def test_customer_cannot_open_a_ticket_in_a_team_not_offered_to_customers(world):
    internal_team = TeamFactory(portal=False)
    with pytest.raises(DomainError) as error:
        services.ticket_open_from_portal(user=world.a.user, team=internal_team, title="Hi")
    assert error.value.field == "team"


def test_customer_cannot_open_a_ticket_for_another_customer(world):
    with pytest.raises(DomainError) as error:
        services.ticket_open_from_portal(
            user=world.a.user, team=world.team, title="Hi", customer=world.b.customer
        )
    assert error.value.field == "customer"
    assert not Ticket.objects.filter(title="Hi").exists()


def test_waiting_for_us_tickets_come_first(world):
    quiet = TicketFactory(team=world.team, customer=world.a.customer, waiting_for=Ticket.Turn.CUSTOMER)
    urgent = TicketFactory(team=world.team, customer=world.a.customer, waiting_for=Ticket.Turn.US)
    ordered = list(selectors.waiting_for_us_first(Ticket.objects.filter(pk__in=[quiet.pk, urgent.pk])))
    assert ordered == [urgent, quiet]


def test_admin_shows_the_conversation_read_only(client, admin_staff, world):
    client.force_login(admin_staff)
    response = client.get(f"/admin/helpdesk/ticket/{world.a.ticket.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "We are on it." in html and "Globex secret note" in html
    assert 'name="messages-0-body"' not in html  # shown, never edited here
