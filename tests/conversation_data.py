"""Test data of the ticket conversation and the portal: two customers (A = Globex, B = Initech),
each with a portal user, a ticket, messages (a reply, an internal note, a customer reply with an
attachment), a confirmed prepaid order and a posted invoice; a portal team with an agent."""

from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from helpdesk import conversation_services
from helpdesk.models import Attachment, Message, Team, Ticket
from invoicing.models import Invoice
from sales.models import Customer, Order
from tests.factories import (
    CustomerFactory,
    InvoiceFactory,
    TeamFactory,
    TicketFactory,
    UserFactory,
    invoice_with_lines,
)

PDF_BYTES = b"%PDF-1.4\n% a tiny test file\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf_upload(name: str = "screenshot.pdf", data: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@dataclass
class Side:
    customer: Customer
    user: object
    ticket: Ticket
    reply: Message
    note: Message
    customer_message: Message
    attachment: Attachment
    note_attachment: Attachment
    order: Order
    invoice: Invoice
    draft: Invoice


@dataclass
class World:
    agent: object
    team: Team
    a: Side
    b: Side


def _side(*, name: str, username: str, agent, team, number: str) -> Side:
    customer = CustomerFactory(name=name)
    user = UserFactory(username=username, roles=["customer"])
    customer.portal_users.add(user)
    ticket = TicketFactory(title=f"{name} printer", team=team, customer=customer)
    post = conversation_services.message_post
    customer_message = post(ticket=ticket, author=user, body="It is on fire.", files=[pdf_upload()])
    reply = post(ticket=ticket, author=agent, body="We are on it.")
    note = post(
        ticket=ticket, author=agent, body=f"{name} secret note", internal=True, files=[pdf_upload("note.pdf")]
    )
    invoice = invoice_with_lines(customer=customer, number=number)
    order = invoice.order
    draft = InvoiceFactory(customer=customer, order=order, state=Invoice.State.DRAFT)
    return Side(
        customer=customer,
        user=user,
        ticket=ticket,
        reply=reply,
        note=note,
        customer_message=customer_message,
        attachment=customer_message.attachments.get(),
        note_attachment=note.attachments.get(),
        order=order,
        invoice=invoice,
        draft=draft,
    )


def conversation_world() -> World:
    agent = UserFactory(username="conv-agent", roles=["agent"])
    team = TeamFactory(name="Customer Care", members=[agent], portal=True)
    a = _side(name="Globex", username="globex-user", agent=agent, team=team, number="INV/2026/00101")
    b = _side(name="Initech", username="initech-user", agent=agent, team=team, number="INV/2026/00102")
    return World(agent=agent, team=team, a=a, b=b)
