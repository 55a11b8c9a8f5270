"""Reads of the ticket conversation, and who may read or write it.

Staff read the tickets `selectors.tickets_for_user` gives them, notes included; a portal user
reads only the public messages of their own customers' tickets. Everything else answers 404.
"""

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from core import policy
from core.models import User
from sales import selectors as sales_selectors

from . import selectors
from .models import Attachment, Message, Team, Ticket


def user_is_staff(user: User) -> bool:
    return policy.is_staff_member(user)


def user_is_portal_user(user: User) -> bool:
    return policy.is_customer(user)


def portal_tickets(*, user: User) -> QuerySet[Ticket]:
    """The tickets of the customers whose portal user `user` is (none for anybody else)."""
    if not user_is_portal_user(user):
        return Ticket.objects.none()
    return Ticket.objects.filter(customer__in=sales_selectors.portal_customers(user))


def tickets_readable_by(*, user: User) -> QuerySet[Ticket]:
    if user_is_staff(user):
        return selectors.tickets_for_user(user=user)
    return portal_tickets(user=user)


def ticket_get_readable(*, user: User, ticket_id) -> Ticket:
    ticket = (
        tickets_readable_by(user=user)
        .select_related("team", "stage", "customer", "assignee")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        raise Http404("No such ticket.")
    return ticket


def user_can_post_message(*, user: User, ticket: Ticket, internal: bool = False) -> bool:
    """Staff who work the ticket's team write replies and notes; a portal user replies (never a
    note) on a ticket of their own customer."""
    if user_is_staff(user):
        return selectors.user_can_write_team(user=user, team=ticket.team)
    if internal:
        return False
    return portal_tickets(user=user).filter(pk=ticket.pk).exists()


def ticket_messages(*, ticket: Ticket, user: User) -> list[Message]:
    """The conversation, oldest first, with authors and attachments (two queries)."""
    messages = ticket.messages.select_related("author").prefetch_related("attachments")
    if not user_is_staff(user):
        messages = messages.filter(internal=False)
    return list(messages.order_by("created_at", "id"))


def attachment_get_readable(*, user: User, attachment_id) -> Attachment:
    """An attachment of a message the user may read; 404 for anything else (another customer's,
    an internal note's for a customer, an unknown id)."""
    attachments = Attachment.objects.select_related("message").filter(
        pk=attachment_id, message__ticket__in=tickets_readable_by(user=user)
    )
    if not user_is_staff(user):
        attachments = attachments.filter(message__internal=False)
    attachment = attachments.first()
    if attachment is None:
        raise Http404("No such attachment.")
    return attachment


def portal_teams() -> QuerySet[Team]:
    """The teams customers may open tickets in."""
    return Team.objects.filter(portal=True).order_by("name")


def waiting_for_us_first(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Open tickets whose turn is ours first, then the rest (priority, newest)."""
    return tickets.annotate(
        turn_rank=Case(
            When(Q(waiting_for=Ticket.Turn.US) & Q(stage__is_closed=False), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("turn_rank", "-priority", "-id")
