"""Sales reads. CONTRACT: other apps code against these signatures."""

from decimal import Decimal

from django.db.models import QuerySet

from .models import Customer, OrderLine


def order_line_remaining_hours(*, line: OrderLine) -> Decimal | None:
    """Ordered − delivered in hours, for `prepaid` lines in a time unit; None for others."""
    raise NotImplementedError


def customer_default_sale_line(*, customer: Customer) -> OrderLine | None:
    """SPEC Helpdesk: the customer's most recent (order date, then id) confirmed `prepaid` order
    line in a time unit with remaining hours > 0 (first such line of that order)."""
    raise NotImplementedError


def customer_sale_lines(*, customer: Customer) -> QuerySet[OrderLine]:
    """The confirmed (sale) order lines of a customer that time can be logged on (services),
    with `remaining_hours` annotated (None where it does not apply). For item pickers."""
    raise NotImplementedError
