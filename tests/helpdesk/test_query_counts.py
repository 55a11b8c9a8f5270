"""Pages stay O(1) in queries: the same count at 10 and 500 timesheet lines (and tickets)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import TicketFactory, UserFactory
from timesheets.models import TimesheetLine

pytestmark = pytest.mark.django_db


def add_lines(prepaid, n, *, tickets=1):
    """n timesheet lines spread over the ticket and `tickets - 1` more tickets of the team."""
    all_tickets = [prepaid.ticket] + [
        TicketFactory(team=prepaid.team, customer=prepaid.customer, assignee=prepaid.agent)
        for _ in range(tickets - 1)
    ]
    employees = [prepaid.agent] + [UserFactory(roles=["agent"]) for _ in range(3)]
    TimesheetLine.objects.bulk_create(
        TimesheetLine(
            date=datetime.date.today() - datetime.timedelta(days=i % 30),
            employee=employees[i % len(employees)],
            description=f"Work {i}",
            hours=Decimal("0.25"),
            project=prepaid.team.project,
            ticket=all_tickets[i % len(all_tickets)],
            sale_line=prepaid.line,
        )
        for i in range(n)
    )


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("n_lines", [10, 500])
def test_ticket_page_query_count_does_not_grow_with_timesheet_lines(
    agent_client, prepaid, n_lines, django_assert_num_queries
):
    add_lines(prepaid, n_lines)
    url = reverse("helpdesk:ticket_detail", args=[prepaid.ticket.pk])
    agent_client.get(url)  # warm the session
    with django_assert_num_queries(TICKET_PAGE_QUERIES):
        response = agent_client.get(url)
    assert f"{Decimal('0.25') * n_lines:.2f}" in response.content.decode()


@pytest.mark.parametrize(("n_lines", "n_tickets"), [(10, 5), (500, 60)])
def test_pipeline_query_count_does_not_grow_with_tickets_or_lines(
    agent_client, prepaid, n_lines, n_tickets, django_assert_num_queries
):
    add_lines(prepaid, n_lines, tickets=n_tickets)
    url = reverse("helpdesk:pipeline", args=[prepaid.team.pk])
    agent_client.get(url)
    with django_assert_num_queries(PIPELINE_QUERIES):
        agent_client.get(url)


@pytest.mark.parametrize(("n_lines", "n_tickets"), [(10, 5), (500, 60)])
def test_ticket_list_query_count_does_not_grow(
    agent_client, prepaid, n_lines, n_tickets, django_assert_num_queries
):
    add_lines(prepaid, n_lines, tickets=n_tickets)
    url = reverse("helpdesk:ticket_list")
    agent_client.get(url)
    with django_assert_num_queries(LIST_QUERIES):
        agent_client.get(url)


@pytest.mark.parametrize("n_lines", [10, 500])
def test_timesheet_line_list_query_count_does_not_grow(
    agent_client, prepaid, n_lines, django_assert_num_queries
):
    add_lines(prepaid, n_lines, tickets=3)
    url = reverse("timesheets:line_list")
    agent_client.get(url)
    with django_assert_num_queries(LINE_LIST_QUERIES):
        agent_client.get(url)


@pytest.mark.parametrize("n_lines", [10, 500])
def test_timesheets_section_with_its_item_options_query_count_does_not_grow(
    agent_client, prepaid, n_lines, django_assert_num_queries
):
    add_lines(prepaid, n_lines)
    url = reverse("helpdesk:ticket_timesheets", args=[prepaid.ticket.pk])
    agent_client.get(url)
    with django_assert_num_queries(TIMESHEETS_SECTION_QUERIES):
        response = agent_client.get(url, {"customer": prepaid.customer.pk, "sale_line": prepaid.line.pk})
    assert f"({Decimal('50') - Decimal('0.25') * n_lines:.2f} h left)" in response.content.decode()


TICKET_PAGE_QUERIES = 20  # + the conversation (its attachments only when there are messages), + History
TIMESHEETS_SECTION_QUERIES = 13
PIPELINE_QUERIES = 11  # the customer filter is a search field: no query for its choices
LIST_QUERIES = 11
LINE_LIST_QUERIES = 10  # + the daily totals of the page's days


@pytest.mark.parametrize(("n_lines", "n_tickets"), [(10, 5), (500, 60)])
def test_api_ticket_list_query_count_does_not_grow(
    api_as, prepaid, n_lines, n_tickets, django_assert_num_queries
):
    add_lines(prepaid, n_lines, tickets=n_tickets)
    client = api_as(prepaid.agent)
    with django_assert_num_queries(API_LIST_QUERIES):
        data = client.get("/api/v1/tickets/", {"page_size": 100}).json()
    assert data["count"] == n_tickets
    assert {t["remaining_hours"] for t in data["results"] if t["sale_line"]} == {
        f"{Decimal('50') - Decimal('0.25') * n_lines:.2f}"
    }


API_LIST_QUERIES = 5


@pytest.mark.parametrize("n_lines", [10, 1000])
def test_api_timesheet_post_query_count_does_not_grow_with_the_lines_of_its_order_line(
    api_as, prepaid, n_lines, django_assert_num_queries
):
    """The bench's write: logging time on a ticket whose order line already has n lines."""
    add_lines(prepaid, n_lines)
    client = api_as(prepaid.agent)
    body = {"date": datetime.date.today().isoformat(), "hours": "0.25", "ticket": prepaid.ticket.pk}
    with django_assert_num_queries(API_TIMESHEET_POST_QUERIES) as queries:
        response = client.post("/api/v1/timesheets/", body, format="json")
    assert response.status_code == 201
    # The order's row lock (the recompute) is the last statement before the commit: writers of
    # the same line queue on it, so nothing else runs while it is held.
    statements = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("RELEASE")]
    assert statements[-1].startswith('SELECT "sales_order"."id"') and "FOR NO KEY UPDATE" in statements[-1]
    assert statements[-2].startswith('INSERT INTO "audit_auditevent"')
    prepaid.line.refresh_from_db()
    assert prepaid.line.qty_delivered == Decimal("0.25") * (n_lines + 1)


# Roles, the ticket with its team, project and the team's member ids (who may log), then the
# service's transaction (a SAVEPOINT/RELEASE pair inside the test's; the API's timesheet routes
# run outside ATOMIC_REQUESTS): the employee's day in one round trip (advisory lock, then the
# day's total: at most 24 h), default order line, INSERT, the recompute in one round trip (lock
# order, lock line, update lines, update order), the audit event's INSERT. (Over HTTP the token
# is read with the roles: the same count.)
API_TIMESHEET_POST_QUERIES = 9


@pytest.mark.parametrize("n_lines", [10, 1000])
def test_api_timesheet_post_over_a_real_token_reads_the_roles_with_the_token(
    prepaid, n_lines, django_assert_num_queries
):
    """Token authentication reads the user's roles in its own query: over a real token the write
    costs the same statements as with a forced login (whose roles query replaces the token's)."""
    from rest_framework.test import APIClient

    from core.auth import token_for

    add_lines(prepaid, n_lines)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(prepaid.agent).key}")
    body = {"date": datetime.date.today().isoformat(), "hours": "0.25", "ticket": prepaid.ticket.pk}
    with django_assert_num_queries(API_TIMESHEET_POST_QUERIES):
        response = client.post("/api/v1/timesheets/", body, format="json")
    assert response.status_code == 201, response.content
    prepaid.line.refresh_from_db()
    assert prepaid.line.qty_delivered == Decimal("0.25") * (n_lines + 1)
