"""Writers never wait on each other in the customer-month summary (its triggers only append):
two transactions touching the same customer's months in opposite orders, and a ticket's
customer changing while time is logged on it, both commit and the summaries stay exact.
With a summary row per customer and month updated in place, the first case deadlocks."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from helpdesk import services as helpdesk
from tests.factories import CustomerFactory, ProjectFactory, TicketFactory, UserFactory
from tests.invoicing.test_concurrency import run_in_threads
from timesheets.services import timesheet_log

from .test_hours_summary import assert_summary_matches

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="triggers are PostgreSQL's"),
]
OCTOBER, NOVEMBER = datetime.date(2026, 10, 30), datetime.date(2026, 11, 2)


def test_opposite_month_orders_of_one_customer_both_commit():
    customer = CustomerFactory(name="Shared")
    project = ProjectFactory(customer=customer, billable=False)
    agents = [UserFactory(username=f"agent{i}", roles=["agent"]) for i in range(2)]
    halfway = threading.Barrier(2, timeout=30)

    def write(i):
        days = (OCTOBER, NOVEMBER) if i == 0 else (NOVEMBER, OCTOBER)
        with transaction.atomic():
            for n, day in enumerate(days):
                timesheet_log(
                    employee=agents[i], user=agents[i], date=day, hours=Decimal("1.5"), project=project
                )
                if n == 0:
                    halfway.wait()  # both hold their first month's write
        return "ok"

    assert run_in_threads(2, write) == ["ok", "ok"]
    assert_summary_matches()


def test_a_ticket_changes_customer_while_time_is_logged_on_it(admin_staff):
    first, second = CustomerFactory(name="First"), CustomerFactory(name="Second")
    ticket = TicketFactory(customer=first)
    project = ticket.team.project
    agent = UserFactory(username="agent", roles=["agent"])
    ticket.team.members.add(agent)
    halfway = threading.Barrier(2, timeout=30)

    def log(day, hours):
        hours = Decimal(hours)
        timesheet_log(employee=agent, user=agent, date=day, hours=hours, project=project, ticket=ticket)

    def work(i):
        with transaction.atomic():
            if i == 0:
                log(OCTOBER, "2")
                halfway.wait()
                log(NOVEMBER, "1")
            else:
                halfway.wait()
                helpdesk.ticket_update(ticket=ticket, user=admin_staff, customer=second)
        return "ok"

    assert run_in_threads(2, work) == ["ok", "ok"]
    assert_summary_matches()
