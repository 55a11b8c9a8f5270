"""/api/v1/timesheets/: logging time, defaults, filters, billed lines, bad input."""

import datetime
from decimal import Decimal

import pytest

from invoicing.models import Invoice
from sales.models import OrderLine
from sales.services import order_confirm, order_create
from tests.clock import TODAY, frozen_on
from tests.factories import (
    CustomerFactory,
    InvoiceFactory,
    ProductFactory,
    TaskFactory,
    TeamFactory,
    TicketFactory,
    TimesheetLineFactory,
    UserFactory,
)
from timesheets.models import TimesheetLine

pytestmark = [pytest.mark.django_db, frozen_on(TODAY)]


@pytest.fixture
def prepaid_line(customer, seller) -> OrderLine:
    order = order_create(
        customer=customer,
        user=seller,
        lines=[{"product": ProductFactory(name="Prepaid 50 h"), "quantity": Decimal("50")}],
    )
    order_confirm(order=order, user=seller)
    return order.lines.get()


@pytest.fixture
def prepaid_ticket(customer, prepaid_line, agent):
    ticket = TicketFactory(customer=customer, sale_line=prepaid_line)
    ticket.team.members.add(agent)  # agents log time on tickets of their own teams
    return ticket


def log(client, **payload):
    payload.setdefault("date", TODAY.isoformat())
    payload.setdefault("hours", "1.50")
    return client.post("/api/v1/timesheets/", payload, format="json")


def test_agent_logs_time_on_a_ticket_and_gets_the_defaults(client_for, agent, prepaid_ticket, prepaid_line):
    response = log(client_for(agent), ticket=prepaid_ticket.pk, hours="2.5", description="Fixed the VPN")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["employee"] == agent.pk
    assert body["project"] == prepaid_ticket.team.project_id
    assert body["sale_line"] == prepaid_line.pk
    assert body["hours"] == "2.50"
    assert body["date"] == TODAY.isoformat()
    assert body["invoice"] is None
    prepaid_line.refresh_from_db()
    assert prepaid_line.qty_delivered == Decimal("2.50")


def test_sale_line_null_logs_non_billable_time(client_for, agent, prepaid_ticket):
    body = log(client_for(agent), ticket=prepaid_ticket.pk, sale_line=None).json()
    assert body["sale_line"] is None


def test_time_on_a_task_takes_the_tasks_project(client_for, agent):
    task = TaskFactory()
    body = log(client_for(agent), task=task.pk).json()
    assert (body["project"], body["task"]) == (task.project_id, task.pk)


@pytest.mark.parametrize("hours", ["0", "-1", "24.01", "25", "abc", "1.234", ""])
def test_bad_hours_are_a_field_error(client_for, agent, prepaid_ticket, hours):
    response = log(client_for(agent), ticket=prepaid_ticket.pk, hours=hours)
    assert response.status_code == 400
    assert list(response.json()) == ["hours"]
    assert not TimesheetLine.objects.exists()


def test_more_than_24_hours_on_one_day_is_a_field_error_on_hours(client_for, agent, prepaid_ticket):
    client = client_for(agent)
    payload = {"date": TODAY.isoformat(), "hours": "20", "ticket": prepaid_ticket.pk}
    assert client.post("/api/v1/timesheets/", payload, format="json").status_code == 201
    response = client.post("/api/v1/timesheets/", payload, format="json")
    assert response.status_code == 400
    assert "At most 24 hours a day" in response.json()["hours"][0]
    assert TimesheetLine.objects.filter(employee=agent).count() == 1


def test_unknown_ids_wrong_types_and_missing_date_are_field_errors(client_for, agent):
    response = client_for(agent).post(
        "/api/v1/timesheets/", {"hours": "1", "ticket": 999999, "task": "x", "sale_line": [1]}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"date", "ticket", "task", "sale_line"}


def test_a_line_needs_a_project_ticket_or_task(client_for, agent):
    response = log(client_for(agent))
    assert response.status_code == 400
    assert "project" in response.json()


def test_time_on_a_ticket_of_a_team_without_timesheets_is_refused(client_for, agent, customer):
    prepaid_ticket = TicketFactory(
        customer=customer, team=TeamFactory(use_timesheets=False, use_billing=False)
    )
    response = log(client_for(agent), ticket=prepaid_ticket.pk)
    assert response.status_code == 400
    assert not TimesheetLine.objects.exists()


def test_an_order_line_of_another_customer_is_refused(client_for, agent, prepaid_line):
    prepaid_ticket = TicketFactory(customer=CustomerFactory(name="Other"))
    response = log(client_for(agent), ticket=prepaid_ticket.pk, sale_line=prepaid_line.pk)
    assert response.status_code == 400
    assert "sale_line" in response.json()


def test_agent_cannot_log_time_for_a_colleague(client_for, agent, prepaid_ticket):
    colleague = UserFactory(username="colleague", roles=["agent"])
    response = log(client_for(agent), ticket=prepaid_ticket.pk, employee=colleague.pk)
    assert response.status_code == 400
    assert "employee" in response.json()


def test_agent_edits_and_deletes_their_own_line(client_for, agent, prepaid_ticket, prepaid_line):
    client = client_for(agent)
    line_id = log(client, ticket=prepaid_ticket.pk, hours="2").json()["id"]
    response = client.patch(f"/api/v1/timesheets/{line_id}/", {"hours": "3.25"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["hours"] == "3.25"
    prepaid_line.refresh_from_db()
    assert prepaid_line.qty_delivered == Decimal("3.25")
    assert client.delete(f"/api/v1/timesheets/{line_id}/").status_code == 204
    prepaid_line.refresh_from_db()
    assert prepaid_line.qty_delivered == Decimal("0.00")


def test_patch_with_bad_hours_is_a_field_error_and_changes_nothing(client_for, agent, prepaid_ticket):
    client = client_for(agent)
    line_id = log(client, ticket=prepaid_ticket.pk, hours="2").json()["id"]
    response = client.patch(f"/api/v1/timesheets/{line_id}/", {"hours": "-3"}, format="json")
    assert response.status_code == 400
    assert "hours" in response.json()
    assert TimesheetLine.objects.get(pk=line_id).hours == Decimal("2.00")


@pytest.mark.parametrize("state", [Invoice.State.DRAFT, Invoice.State.POSTED])
def test_a_billed_line_cannot_be_changed_or_deleted(client_for, agent, state):
    invoice = InvoiceFactory(state=state, number=None if state == "draft" else "INV/2026/00099")
    line = TimesheetLineFactory(employee=agent, invoice=invoice)
    client = client_for(agent)
    response = client.patch(f"/api/v1/timesheets/{line.pk}/", {"hours": "5"}, format="json")
    assert response.status_code == 409
    assert "detail" in response.json()
    assert client.delete(f"/api/v1/timesheets/{line.pk}/").status_code == 409
    line.refresh_from_db()
    assert line.hours == Decimal("1.00")


def test_invoice_is_read_only(client_for, agent):
    line = TimesheetLineFactory(employee=agent)
    invoice = InvoiceFactory()
    response = client_for(agent).patch(
        f"/api/v1/timesheets/{line.pk}/", {"invoice": invoice.pk}, format="json"
    )
    assert response.status_code == 200
    line.refresh_from_db()
    assert line.invoice_id is None


def test_timesheet_filters(client_for, accountant, prepaid_ticket, prepaid_line):
    task = TaskFactory()
    invoice = InvoiceFactory()
    on_ticket = TimesheetLineFactory(
        ticket=prepaid_ticket, sale_line=prepaid_line, date=datetime.date(2026, 11, 3)
    )
    on_task = TimesheetLineFactory(task=task, project=task.project, date=datetime.date(2026, 11, 10))
    billed = TimesheetLineFactory(invoice=invoice, date=datetime.date(2026, 10, 31))
    client = client_for(accountant)

    def ids(**params):
        response = client.get("/api/v1/timesheets/", params)
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {on_ticket.pk, on_task.pk, billed.pk}
    assert ids(ticket=prepaid_ticket.pk) == {on_ticket.pk}
    assert ids(task=task.pk) == {on_task.pk}
    assert ids(sale_line=prepaid_line.pk) == {on_ticket.pk}
    assert ids(invoice=invoice.pk) == {billed.pk}
    assert ids(date_from="2026-11-01") == {on_ticket.pk, on_task.pk}
    assert ids(date_to="2026-11-03") == {on_ticket.pk, billed.pk}
    assert ids(date_from="2026-11-01", date_to="2026-11-05") == {on_ticket.pk}


def test_bad_timesheet_filters_are_400(client_for, accountant):
    response = client_for(accountant).get("/api/v1/timesheets/", {"date_from": "yesterday", "ticket": "x"})
    assert response.status_code == 400
    assert set(response.json()) == {"date_from", "ticket"}
