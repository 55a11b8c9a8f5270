"""Writes of the ticket conversation: replies, internal notes, attachments, tickets opened by
customers, and the e-mails a public reply sends (through Celery, after commit)."""

import logging
import mimetypes
from collections.abc import Sequence
from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from core.background import enqueue_after_commit
from core.errors import DomainError
from core.links import link_url
from core.models import User
from sales import selectors as sales_selectors

from . import services
from .conversation_selectors import user_can_post_message, user_is_staff
from .models import Attachment, Message, Team, Ticket

logger = logging.getLogger(__name__)

BODY_MAX_CHARS = 20_000
# The first bytes a file of these types must start with: a renamed executable is refused.
FILE_SIGNATURES = {
    "pdf": (b"%PDF",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "webp": (b"RIFF",),
    "zip": (b"PK\x03\x04", b"PK\x05\x06"),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
    "ods": (b"PK\x03\x04",),
}


# --- Attachments ----------------------------------------------------------------------------
def attachment_validate(*, file: UploadedFile) -> tuple[str, str]:
    """Refuse a file over the size limit, of a type off the allow-list, or whose content does not
    match its type. Returns (the file name to show, its content type)."""
    name = PurePath((file.name or "").replace("\\", "/")).name.strip()[:200] or "file"
    extension = PurePath(name).suffix.lower().lstrip(".")
    allowed = [e.lower() for e in settings.ATTACHMENT_EXTENSIONS]
    if extension not in allowed:
        raise DomainError(
            f"{name}: this type of file is not accepted (allowed: {', '.join(allowed)}).", field="attachments"
        )
    limit = settings.ATTACHMENT_MAX_BYTES
    if file.size > limit:
        raise DomainError(f"{name} is larger than {limit / 1024 / 1024:g} MB.", field="attachments")
    if file.size == 0:
        raise DomainError(f"{name} is empty.", field="attachments")
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    signatures = FILE_SIGNATURES.get(extension)
    if signatures and not head.startswith(signatures):
        raise DomainError(f"{name} is not a real .{extension} file.", field="attachments")
    content_type = mimetypes.guess_type(f"file.{extension}")[0] or "application/octet-stream"
    return name, content_type


def _attachments_validate(files: Sequence[UploadedFile]) -> list[tuple[UploadedFile, str, str]]:
    if len(files) > settings.ATTACHMENT_MAX_FILES:
        raise DomainError(f"At most {settings.ATTACHMENT_MAX_FILES} files per message.", field="attachments")
    return [(file, *attachment_validate(file=file)) for file in files]


def _attachments_store(message: Message, checked) -> list[Attachment]:
    stored = []
    try:
        for file, name, content_type in checked:
            attachment = Attachment(message=message, name=name, size=file.size, content_type=content_type)
            attachment.file.save(name, file, save=False)  # through the default storage
            attachment.save()
            stored.append(attachment)
    except Exception:
        for attachment in stored:  # the transaction rolls back: leave no orphan file behind
            attachment.file.delete(save=False)
        raise
    return stored


# --- Messages -------------------------------------------------------------------------------
def message_post(
    *, ticket: Ticket, author: User, body: str, internal: bool = False, files: Sequence[UploadedFile] = ()
) -> Message:
    """Add a reply (or, for staff, an internal note) to a ticket.

    A public message sets whose turn it is (a customer's → waiting for us, staff's → waiting for
    the customer) and when the last message came; a staff reply is e-mailed to the customer's
    portal users, a customer's to the ticket's assignee, by Celery after commit. Notes change
    nothing the customer sees and are never sent.
    """
    body = (body or "").strip()
    files = list(files or ())
    if internal and not user_is_staff(author):
        raise DomainError("Customers cannot write internal notes.", field="internal")
    if not user_can_post_message(user=author, ticket=ticket, internal=internal):
        raise DomainError("You may not write on this ticket.", field="body")
    if not body and not files:
        raise DomainError("Write a message or attach a file.", field="body")
    if len(body) > BODY_MAX_CHARS:
        raise DomainError(f"A message has at most {BODY_MAX_CHARS} characters.", field="body")
    checked = _attachments_validate(files)
    from_customer = not user_is_staff(author)
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        message = Message.objects.create(
            ticket=locked, author=author, body=body, internal=internal, from_customer=from_customer
        )
        _attachments_store(message, checked)
        if not internal:
            locked.waiting_for = Ticket.Turn.US if from_customer else Ticket.Turn.CUSTOMER
            locked.last_message_at = message.created_at
            locked.save(update_fields=["waiting_for", "last_message_at", "updated_at"])
            _notify_after_commit(message.pk)
    return message


def _notify_after_commit(message_id: int) -> None:
    """The e-mail job, sent after commit; kept waiting if the task queue is down (the message is
    saved either way, and is mailed once the queue is back)."""
    from .tasks import message_notify_task

    enqueue_after_commit(
        message_notify_task, message_id, subject=f"helpdesk.message:{message_id}", robust=True
    )


def ticket_open_from_portal(
    *,
    user: User,
    team: Team,
    title: str,
    description: str = "",
    customer=None,
    files: Sequence[UploadedFile] = (),
) -> Ticket:
    """A customer opens a ticket in a team offered to customers, always for their own customer
    (their only one when not given). Attachments come with a first message."""
    customers = list(sales_selectors.portal_customers(user))
    if customer is None and len(customers) == 1:
        customer = customers[0]
    if customer is None or customer.pk not in {c.pk for c in customers}:
        raise DomainError("Choose one of your customers.", field="customer")
    if not team.portal:
        raise DomainError("Choose a team offered to customers.", field="team")
    files = list(files or ())
    _attachments_validate(files)
    with transaction.atomic():
        ticket = services.ticket_create(
            user=user, team=team, title=title, description=(description or "").strip(), customer=customer
        )
        if files:
            message_post(ticket=ticket, author=user, body="", files=files)
        else:
            Ticket.objects.filter(pk=ticket.pk).update(
                waiting_for=Ticket.Turn.US, last_message_at=timezone.now()
            )
        ticket.refresh_from_db()
    return ticket


# --- E-mail ---------------------------------------------------------------------------------
def _url(name: str, *args) -> str:
    try:
        return settings.SITE_URL + reverse(name, args=args)
    except NoReverseMatch:
        return settings.SITE_URL + "/"


def message_recipients(*, message: Message) -> list[str]:
    """Who a public message is mailed to: a staff reply goes to the active portal users of the
    ticket's customer, a customer's message to the ticket's assignee. Never the author."""
    ticket = message.ticket
    if message.internal:
        return []
    if message.from_customer:
        users = [ticket.assignee] if ticket.assignee and ticket.assignee.is_active else []
    elif ticket.customer_id:
        users = list(ticket.customer.portal_users.filter(is_active=True).order_by("pk"))
    else:
        users = []
    return sorted({u.email for u in users if u.email and u.pk != message.author_id})


def message_email(*, message: Message, to: str) -> EmailMessage:
    ticket = message.ticket
    author = str(message.author) if message.author else "Someone"
    company = settings.COMPANY.get("name", "")
    if message.from_customer:
        link = _url("helpdesk:ticket_detail", ticket.pk)
    else:
        link = settings.SITE_URL + (link_url("portal.ticket", ticket.pk) or "/")  # portal: above us
    names = [a.name for a in message.attachments.all()]
    body = f"{author} wrote on ticket #{ticket.pk} \u201c{ticket.title}\u201d:\n\n{message.body}\n"
    if names:
        body += "\nAttached: " + ", ".join(names) + "\n"
    body += f"\nRead and answer it here: {link}\n\n{company}"
    return EmailMessage(
        subject=f"[Ticket #{ticket.pk}] {ticket.title}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )


def message_notify(*, message_id: int) -> str:
    """Send a public message's e-mails once: the message row stays locked while the mail server is
    talked to and is marked notified in the same transaction. A second run waits, then skips; a
    refusal of the mail server (OSError) or a worker killed mid-send rolls back, so the retry or the
    redelivered job sends them (a worker dying between two recipients re-sends to the first)."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("ticket", "ticket__customer", "ticket__assignee", "author")
            .filter(pk=message_id, internal=False, notified_at__isnull=True)
            .first()
        )
        if message is None:
            return "skipped"
        recipients = message_recipients(message=message)
        with get_connection() as connection:
            for address in recipients:  # one mail each: no customer sees another's address
                mail = message_email(message=message, to=address)
                mail.connection = connection
                mail.send()
        Message.objects.filter(pk=message_id).update(notified_at=timezone.now())
    return f"sent {len(recipients)}"
