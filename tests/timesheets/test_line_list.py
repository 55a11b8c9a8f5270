"""The timesheet lines list (timesheets:line_list): filters and CSV export."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import InvoiceFactory, TaskFactory, TicketFactory, TimesheetLineFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("timesheets:line_list")


@pytest.fixture
def lines(prepaid):
    today = datetime.date.today()
    colleague = UserFactory(roles=["agent"], first_name="Carla", last_name="Colleague")
    prepaid.team.members.add(colleague)
    task = TaskFactory()
    return {
        "mine": TimesheetLineFactory(
            ticket=prepaid.ticket,
            project=prepaid.team.project,
            employee=prepaid.agent,
            sale_line=prepaid.line,
            date=today,
            description="Mine",
        ),
        "old": TimesheetLineFactory(
            ticket=prepaid.ticket,
            project=prepaid.team.project,
            employee=colleague,
            sale_line=prepaid.line,
            date=today - datetime.timedelta(days=40),
            description="Old",
            invoice=InvoiceFactory(customer=prepaid.customer),
        ),
        "task": TimesheetLineFactory(
            project=task.project, task=task, employee=colleague, description="Task work"
        ),
    }


def descriptions(response):
    return {line.description for line in response.context["lines"]}


def test_filters_by_employee_dates_ticket_task_order_and_billed(agent_client, prepaid, lines):
    assert descriptions(agent_client.get(URL)) == {"Mine", "Old", "Task work"}
    assert descriptions(agent_client.get(URL, {"employee": prepaid.agent.pk})) == {"Mine"}
    since = (datetime.date.today() - datetime.timedelta(days=7)).isoformat()
    assert descriptions(agent_client.get(URL, {"date_from": since})) == {"Mine", "Task work"}
    assert descriptions(agent_client.get(URL, {"ticket": prepaid.ticket.pk})) == {"Mine", "Old"}
    assert descriptions(agent_client.get(URL, {"task": lines["task"].task_id})) == {"Task work"}
    assert descriptions(agent_client.get(URL, {"order": prepaid.order.name})) == {"Mine", "Old"}
    assert descriptions(agent_client.get(URL, {"billed": "yes"})) == {"Old"}
    assert descriptions(agent_client.get(URL, {"billed": "no"})) == {"Mine", "Task work"}


def test_agents_do_not_see_lines_of_tickets_of_other_teams(agent_client, prepaid, lines):
    foreign = TicketFactory()
    TimesheetLineFactory(ticket=foreign, project=foreign.team.project, description="Foreign")
    assert "Foreign" not in descriptions(agent_client.get(URL))


def test_accountants_read_every_line(client, accountant, lines):
    client.force_login(accountant)
    assert descriptions(client.get(URL)) == {"Mine", "Old", "Task work"}


def test_csv_export_follows_the_filters(agent_client, prepaid, lines):
    response = agent_client.get(URL, {"ticket": prepaid.ticket.pk, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = b"".join(response.streaming_content).decode().strip().splitlines()
    assert rows[0] == "date,employee,description,hours,billed_hours,project,task,ticket,order,invoice"
    assert len(rows) == 3
    assert any(",Mine,1.00," in row and prepaid.order.name in row for row in rows)
    assert Decimal("1.00") == lines["mine"].hours


def test_a_bad_filter_value_is_shown_next_to_its_field(agent_client, lines):
    response = agent_client.get(URL, {"date_from": "not-a-date"})
    assert response.status_code == 200
    assert "date_from" in response.context["form"].errors


def test_a_big_list_is_counted_up_to_the_cap_and_its_total_needs_a_filter(
    agent_client, prepaid, lines, monkeypatch
):
    """Past the cap the page neither counts every line nor sums them; a filter brings both back."""
    monkeypatch.setattr("core.pagination.COUNT_CAP", 2)
    page = agent_client.get(URL)
    assert page.context["page_obj"].paginator.capped
    assert page.context["total_hours"] is None
    assert "filter to see the total" in page.content.decode()

    filtered = agent_client.get(URL, {"ticket": prepaid.ticket.pk})
    assert not filtered.context["page_obj"].paginator.capped
    assert filtered.context["total_hours"] == Decimal("2.00")
    assert "filter to see the total" not in filtered.content.decode()


def test_a_capped_pager_says_more_than_the_cap(agent_client, prepaid, monkeypatch):
    monkeypatch.setattr("core.pagination.COUNT_CAP", 60)
    monkeypatch.setattr("timesheets.views.PAGE_SIZE", 10)
    TimesheetLineFactory.create_batch(70, project=prepaid.team.project, employee=prepaid.agent)
    body = agent_client.get(URL, {"page": 2}).content.decode()
    assert "more than 60 in all" in body
    assert "Next" in body
