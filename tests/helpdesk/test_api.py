"""API: /api/v1/teams/, /api/v1/tickets/, /api/v1/timers/ (API.md)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from helpdesk.models import Team, Ticket
from sales.models import Order
from tests.factories import (
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    TeamFactory,
    TicketFactory,
    UserFactory,
)
from timesheets.models import Timer, TimesheetLine

pytestmark = pytest.mark.django_db


def test_teams_list_the_callers_teams_with_the_contract_fields(api_as, prepaid):
    TeamFactory(name="Not mine")
    data = api_as(prepaid.agent).get("/api/v1/teams/").json()
    assert data["count"] == 1
    team = data["results"][0]
    assert {"id", "name", "use_timesheets", "use_billing", "project"} <= set(team)
    assert team["project"] == prepaid.team.project_id and team["use_billing"] is True


def test_only_admins_create_teams_and_billing_needs_timesheets(api_as, agent, admin_staff):
    assert api_as(agent).post("/api/v1/teams/", {"name": "X"}).status_code == 403
    client = api_as(admin_staff)
    response = client.post("/api/v1/teams/", {"name": "Y", "use_billing": True}, format="json")
    assert response.status_code == 400 and "use_billing" in response.json()
    response = client.post("/api/v1/teams/", {"name": "Z", "use_timesheets": True}, format="json")
    assert response.status_code == 201
    team = Team.objects.get(name="Z")
    assert response.json()["project"] == team.project_id and team.project.name == "Z"
    assert team.stages.count() == 4


def test_creating_a_ticket_defaults_its_item_per_spec(api_as, prepaid):
    response = api_as(prepaid.agent).post(
        "/api/v1/tickets/",
        {"title": "Toner", "team": prepaid.team.pk, "customer": prepaid.customer.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["sale_line"] == prepaid.line.pk
    assert body["stage"] == "New"
    assert body["total_hours"] == "0.00"
    assert body["remaining_hours"] == "50.00"


def test_ticket_fields_and_filters(api_as, prepaid):
    other_customer = CustomerFactory()
    TicketFactory(team=prepaid.team, customer=other_customer)
    client = api_as(prepaid.agent)
    data = client.get("/api/v1/tickets/", {"customer": prepaid.customer.pk}).json()
    assert [t["id"] for t in data["results"]] == [prepaid.ticket.pk]
    ticket = data["results"][0]
    for field in (
        "id",
        "title",
        "description",
        "team",
        "customer",
        "stage",
        "assignee",
        "sale_line",
        "task",
        "total_hours",
        "remaining_hours",
    ):
        assert field in ticket
    assert client.get("/api/v1/tickets/", {"team": prepaid.team.pk}).json()["count"] == 2
    assert client.get("/api/v1/tickets/", {"team": "abc"}).status_code == 400


def test_an_item_of_another_customer_is_a_400_on_sale_line(api_as, prepaid):
    foreign = OrderLineFactory(order=OrderFactory(state=Order.State.SALE))
    response = api_as(prepaid.agent).patch(
        f"/api/v1/tickets/{prepaid.ticket.pk}/", {"sale_line": foreign.pk}, format="json"
    )
    assert response.status_code == 400 and "sale_line" in response.json()


def test_set_stage_by_name_and_unknown_stage(api_as, prepaid):
    client = api_as(prepaid.agent)
    response = client.post(
        f"/api/v1/tickets/{prepaid.ticket.pk}/set_stage/", {"stage": "Solved"}, format="json"
    )
    assert response.status_code == 200 and response.json()["stage"] == "Solved"
    assert Ticket.objects.get(pk=prepaid.ticket.pk).closed_at is not None
    response = client.post(
        f"/api/v1/tickets/{prepaid.ticket.pk}/set_stage/", {"stage": "Nope"}, format="json"
    )
    assert response.status_code == 400 and "stage" in response.json()


def test_tickets_of_other_teams_are_404_and_readers_cannot_write(api_as, prepaid):
    outsider = UserFactory(roles=["agent"])
    assert api_as(outsider).get(f"/api/v1/tickets/{prepaid.ticket.pk}/").status_code == 404
    sales = UserFactory(roles=["sales"])
    client = api_as(sales)
    assert client.get(f"/api/v1/tickets/{prepaid.ticket.pk}/").status_code == 200
    assert (
        client.patch(f"/api/v1/tickets/{prepaid.ticket.pk}/", {"title": "x"}, format="json").status_code
        == 403
    )
    customer = UserFactory(roles=["customer"])
    assert api_as(customer).get("/api/v1/tickets/").status_code == 403


def test_timer_start_pause_resume_stop_creates_a_timesheet_line(api_as, prepaid):
    client = api_as(prepaid.agent)
    response = client.post("/api/v1/timers/", {"ticket": prepaid.ticket.pk}, format="json")
    assert response.status_code == 201
    timer = response.json()
    assert timer["state"] == "running" and timer["ticket"] == prepaid.ticket.pk and timer["task"] is None
    assert "elapsed_seconds" in timer
    assert client.post(f"/api/v1/timers/{timer['id']}/pause/").json()["state"] == "paused"
    assert client.post(f"/api/v1/timers/{timer['id']}/resume/").json()["state"] == "running"
    response = client.post(f"/api/v1/timers/{timer['id']}/stop/", {"description": "Fixed"}, format="json")
    assert response.status_code == 201
    line = response.json()
    assert set(line) == {
        "id",
        "date",
        "employee",
        "description",
        "hours",
        "billed_hours",
        "project",
        "task",
        "ticket",
        "sale_line",
        "invoice",
        "approval_state",
        "approval_reason",
        "warnings",  # added to API.md's fields: what the browser warns after the same stop
    }
    assert line["warnings"] == []
    assert (
        line["hours"] == "0.25"
        and line["ticket"] == prepaid.ticket.pk
        and line["sale_line"] == prepaid.line.pk
    )
    assert line["employee"] == prepaid.agent.pk and line["invoice"] is None
    assert not Timer.objects.exists()


def test_timer_stop_with_confirmed_hours_and_bad_hours(api_as, prepaid):
    client = api_as(prepaid.agent)
    timer_id = client.post("/api/v1/timers/", {"ticket": prepaid.ticket.pk}, format="json").json()["id"]
    response = client.post(f"/api/v1/timers/{timer_id}/stop/", {"hours": "30"}, format="json")
    assert response.status_code == 400 and "hours" in response.json()
    assert not TimesheetLine.objects.exists()
    response = client.post(f"/api/v1/timers/{timer_id}/stop/", {"hours": "1.50"}, format="json")
    assert response.status_code == 201 and response.json()["hours"] == "1.50"


def test_elapsed_seconds_come_from_the_database(api_as, prepaid):
    client = api_as(prepaid.agent)
    timer_id = client.post("/api/v1/timers/", {"ticket": prepaid.ticket.pk}, format="json").json()["id"]
    Timer.objects.filter(pk=timer_id).update(running_since=timezone.now() - datetime.timedelta(seconds=90))
    assert 90 <= client.get(f"/api/v1/timers/{timer_id}/").json()["elapsed_seconds"] < 100


def test_one_running_timer_per_user_through_the_api(api_as, prepaid):
    client = api_as(prepaid.agent)
    first = client.post("/api/v1/timers/", {"ticket": prepaid.ticket.pk}, format="json").json()
    other = TicketFactory(team=prepaid.team)
    client.post("/api/v1/timers/", {"ticket": other.pk}, format="json")
    assert client.get(f"/api/v1/timers/{first['id']}/").json()["state"] == "paused"
    assert Timer.objects.filter(user=prepaid.agent, state="running").count() == 1


def test_timers_are_private_and_need_a_target(api_as, prepaid):
    client = api_as(prepaid.agent)
    timer_id = client.post("/api/v1/timers/", {"ticket": prepaid.ticket.pk}, format="json").json()["id"]
    assert client.post("/api/v1/timers/", {}, format="json").status_code == 400
    colleague = UserFactory(roles=["agent"])
    assert api_as(colleague).get(f"/api/v1/timers/{timer_id}/").status_code == 404
    assert api_as(colleague).post(f"/api/v1/timers/{timer_id}/stop/").status_code == 404


def test_a_timer_on_a_team_without_timesheets_is_a_400(api_as, agent):
    ticket = TicketFactory(team=TeamFactory(members=[agent], use_timesheets=False, use_billing=False))
    response = api_as(agent).post("/api/v1/timers/", {"ticket": ticket.pk}, format="json")
    assert response.status_code == 400 and "ticket" in response.json()
    assert Decimal("0") == Decimal(Timer.objects.count())
