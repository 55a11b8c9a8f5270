"""What helpdesk adds to other apps' pages (registered in HelpdeskConfig.ready)."""

from django.urls import reverse

from .models import Ticket


def order_tickets(*, order, **_context) -> dict:
    """The order page (sales): the tickets billed on the order, newest first."""
    tickets = list(Ticket.objects.filter(sale_line__order=order).select_related("stage").order_by("-id")[:50])
    for ticket in tickets:
        ticket.url = reverse("helpdesk:ticket_detail", args=[ticket.pk])
    return {"tickets": tickets}


def customer_tickets(*, customer, **_context) -> dict:
    """The customer page (sales): the customer's latest 50 tickets, newest first."""
    tickets = list(
        Ticket.objects.filter(customer=customer)
        .select_related("stage", "team", "assignee")
        .order_by("-id")[:50]
    )
    for ticket in tickets:
        ticket.url = reverse("helpdesk:ticket_detail", args=[ticket.pk])
    return {"tickets": tickets}
