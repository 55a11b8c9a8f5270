"""Reads of the portal. Every query starts from the customers the user is a portal contact of;
anything outside them is invisible (404)."""

from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import Case, IntegerField, QuerySet, Sum, Value, When
from django.http import Http404

from core import policy
from core.money import quantize_qty
from helpdesk.conversation_selectors import portal_tickets
from helpdesk.models import Ticket
from invoicing.models import Invoice
from sales import selectors as sales_selectors
from sales.models import Product, UomCategory
from timesheets.burndown import Burndown, sale_lines_burndown
from timesheets.models import TimesheetLine


@dataclass(frozen=True)
class PrepaidLine:
    """One prepaid block of hours as the customer sees it (all figures in hours)."""

    line_id: int
    customer: str
    order: str
    description: str
    sold: Decimal
    used: Decimal
    left: Decimal
    burndown: Burndown | None = None

    @property
    def used_percent(self) -> int:
        if self.sold <= 0:
            return 100
        return max(0, min(100, int(self.used * 100 / self.sold)))


def prepaid_lines_for(customers) -> list[PrepaidLine]:
    """The prepaid time lines of confirmed orders of `customers`, newest order first, each with
    its burn-down (one query per customer, two more for all the burn-downs)."""
    rows, lines_seen = [], []
    for customer in customers:
        lines = (
            sales_selectors.customer_sale_lines(customer=customer)
            .filter(invoice_policy=Product.InvoicePolicy.PREPAID, uom__category__kind=UomCategory.Kind.TIME)
            .select_related("order", "uom", "uom__category", "product")
            .order_by("-order__order_date", "order_id", "sequence", "id")
        )
        for line in lines:
            lines_seen.append(line)
            # Time units convert to hours by their ratio; `remaining_hours` is annotated by the selector.
            sold = quantize_qty(line.quantity * line.uom.ratio)
            left = quantize_qty(line.remaining_hours)
            rows.append(
                PrepaidLine(
                    line_id=line.pk,
                    customer=customer.name,
                    order=line.order.name,
                    description=line.description or str(line.product or ""),
                    sold=sold,
                    used=sold - left,
                    left=left,
                )
            )
    burndowns = {b.line_id: b for b in sale_lines_burndown(lines=lines_seen)}
    return [replace(row, burndown=burndowns.get(row.line_id)) for row in rows]


def portal_ticket_rows(*, user) -> QuerySet[Ticket]:
    """The user's tickets: open ones waiting for the customer first, then the other open ones,
    then the closed ones; newest activity first within each group."""
    return (
        portal_tickets(user=user)
        .select_related("stage", "customer", "team")
        .annotate(
            turn_rank=Case(
                When(stage__is_closed=True, then=Value(2)),
                When(waiting_for=Ticket.Turn.CUSTOMER, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("turn_rank", "-last_message_at", "-id")
    )


def portal_ticket_get(*, user, ticket_id) -> Ticket:
    ticket = portal_ticket_rows(user=user).filter(pk=ticket_id).first()
    if ticket is None:
        raise Http404("No such ticket.")
    return ticket


def ticket_hours_per_day(*, ticket: Ticket) -> list[dict]:
    """The hours logged on a ticket per day, newest first (no people, no costs)."""
    return list(
        TimesheetLine.objects.filter(ticket=ticket)
        .order_by()
        .values("date")
        .annotate(hours=Sum("hours"))
        .order_by("-date")
    )


def portal_invoices(*, user) -> QuerySet[Invoice]:
    """Posted invoices and credit notes of the user's customers (never drafts): the invoices the
    policy lets the user see (its `invoice` scope, the one rule) narrowed to the portal's subject,
    the user's customers. A user who is staff and a customer contact gets the same answer here
    as a customer contact alone, and never an invoice the scope hides."""
    return (
        policy.visible(user, "invoice")
        .filter(customer__in=policy.visible(user, "portal.customer"), state=Invoice.State.POSTED)
        .select_related("customer", "peppol_document")
        .order_by("-invoice_date", "-id")
    )


def portal_invoice_get(*, user, invoice_id) -> Invoice:
    invoice = portal_invoices(user=user).filter(pk=invoice_id).first()
    if invoice is None:
        raise Http404("No such invoice.")
    return invoice
