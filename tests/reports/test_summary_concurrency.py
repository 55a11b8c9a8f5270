"""Writers never wait on each other in the customer-month summary (its triggers only append):
two transactions touching the same customer's months in opposite orders, and a ticket's
customer changing while time is logged on it or moved onto it, both commit and the summaries
stay exact. With a summary row per customer and month updated in place, the first case
deadlocks."""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction

from helpdesk import services as helpdesk
from tests.factories import CustomerFactory, ProjectFactory, TicketFactory, UserFactory
from tests.invoicing.test_concurrency import run_in_threads
from timesheets.services import timesheet_log, timesheet_update

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


def _blocked_or_done(done: threading.Event, timeout: float = 20) -> None:
    """Wait until `done` is set or another connection of this database waits for a lock."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while not done.is_set() and time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # the view is cached per transaction
            cursor.execute(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)


def test_a_line_moved_onto_a_ticket_whose_customer_changes_meanwhile(admin_staff):
    """The edit moving the line commits after the change started: before migration 0007 the
    change did not see the line and the edit filed its hours under the ticket's former
    customer (the summary differed from the lines until a rebuild)."""
    first, second, third = (CustomerFactory(name=name) for name in ("First", "Second", "Third"))
    source = TicketFactory(customer=first)
    target = TicketFactory(customer=second, team=source.team)
    agent = UserFactory(username="agent", roles=["agent"])
    source.team.members.add(agent)
    line = timesheet_log(
        employee=agent,
        user=agent,
        date=OCTOBER,
        hours=Decimal("2"),
        project=source.team.project,
        ticket=source,
    )
    moved, done = threading.Event(), threading.Event()

    def work(i):
        if i == 0:
            with transaction.atomic():
                timesheet_update(line=line, user=agent, ticket=target)
                moved.set()
                _blocked_or_done(done)  # the change waits for this commit (or, before 0007, ran)
        else:
            moved.wait(timeout=30)
            helpdesk.ticket_update(ticket=target, user=admin_staff, customer=third)
            done.set()
        return "ok"

    assert run_in_threads(2, work) == ["ok", "ok"]
    assert_summary_matches()
