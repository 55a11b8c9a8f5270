"""Test data of the helpdesk area: a team with timesheets and billing, a prepaid customer."""

from dataclasses import dataclass
from decimal import Decimal

from helpdesk import services
from helpdesk.models import Team, Ticket
from sales.models import Customer, Order, OrderLine
from tests.factories import CustomerFactory, OrderFactory, OrderLineFactory, TeamFactory, UserFactory


@dataclass
class Prepaid:
    agent: object
    team: Team
    customer: Customer
    order: Order
    line: OrderLine
    ticket: Ticket


def prepaid_setup(*, agent=None, hours: str = "50.00", customer_name: str = "Prepaid Industries") -> Prepaid:
    """An agent in a billing team; a customer with a confirmed 50 h prepaid order; a ticket whose
    item was defaulted by the service."""
    agent = agent or UserFactory(roles=["agent"])
    team = TeamFactory(members=[agent])
    customer = CustomerFactory(name=customer_name)
    order = OrderFactory(customer=customer, state=Order.State.SALE)
    line = OrderLineFactory(order=order, quantity=Decimal(hours), description="Prepaid support 50 h")
    ticket = services.ticket_create(user=agent, team=team, title="Printer on fire", customer=customer)
    return Prepaid(agent=agent, team=team, customer=customer, order=order, line=line, ticket=ticket)
