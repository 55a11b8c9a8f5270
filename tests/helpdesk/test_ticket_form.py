"""The ticket form: item defaults, item choices, re-linking, smart buttons (SPEC Helpdesk)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from helpdesk import services
from helpdesk.models import Stage, Ticket
from sales.models import Order
from tests.factories import (
    CustomerFactory,
    InvoiceFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    TaskFactory,
    TeamFactory,
    TicketFactory,
    TimesheetLineFactory,
)
from timesheets.services import timesheet_log

pytestmark = pytest.mark.django_db


def detail(ticket):
    return reverse("helpdesk:ticket_detail", args=[ticket.pk])


def form_data(ticket, **overrides):
    data = {
        "title": ticket.title,
        "team": ticket.team_id,
        "customer": ticket.customer_id or "",
        "sale_line": ticket.sale_line_id or "",
        "assignee": ticket.assignee_id or "",
        "priority": ticket.priority,
        "stage": ticket.stage_id,
        "task": ticket.task_id or "",
        "description": ticket.description,
    }
    data.update({k: ("" if v is None else v) for k, v in overrides.items()})
    return data


def test_a_new_ticket_of_a_prepaid_customer_gets_the_most_recent_prepaid_item(agent_client, agent):
    team = TeamFactory(members=[agent])
    customer = CustomerFactory()
    old = OrderFactory(customer=customer, state=Order.State.SALE, order_date=datetime.date(2026, 1, 5))
    OrderLineFactory(order=old)
    recent = OrderFactory(customer=customer, state=Order.State.SALE, order_date=datetime.date(2026, 6, 1))
    first_of_recent = OrderLineFactory(order=recent)
    OrderLineFactory(order=recent)
    response = agent_client.post(
        reverse("helpdesk:ticket_create"),
        {"title": "VPN down", "team": team.pk, "customer": customer.pk, "priority": 1, "sale_line": ""},
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get(title="VPN down")
    assert ticket.sale_line == first_of_recent
    assert ticket.stage.name == "New"
    assert response.url == detail(ticket)


def test_no_default_item_for_a_team_without_time_billing(agent_client, agent):
    team = TeamFactory(members=[agent], use_billing=False)
    customer = CustomerFactory()
    OrderLineFactory(order=OrderFactory(customer=customer, state=Order.State.SALE))
    agent_client.post(
        reverse("helpdesk:ticket_create"),
        {"title": "Hi", "team": team.pk, "customer": customer.pk, "priority": 0},
    )
    assert Ticket.objects.get(title="Hi").sale_line is None


def test_choosing_a_customer_refreshes_the_item_field_with_the_default_and_hours_left(agent_client, prepaid):
    other = CustomerFactory()
    OrderLineFactory(order=OrderFactory(customer=other, state=Order.State.SALE), description="Not yours")
    OrderLineFactory(
        order=OrderFactory(customer=prepaid.customer, state=Order.State.DRAFT), description="Draft"
    )
    response = agent_client.get(
        reverse("helpdesk:ticket_item_field"),
        {"customer": prepaid.customer.pk, "team": prepaid.team.pk},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert 'id="item-field"' in html
    assert f'<option value="{prepaid.line.pk}" selected>' in html
    assert "(50.00 h left)" in html
    assert "Not yours" not in html
    assert "Draft" not in html


def test_the_ticket_form_links_to_its_order_and_task_and_shows_remaining_hours(agent_client, prepaid):
    task = TaskFactory(customer=prepaid.customer, title="Install printers")
    services.ticket_update(ticket=prepaid.ticket, user=prepaid.agent, task=task)
    html = agent_client.get(detail(prepaid.ticket)).content.decode()
    assert 'id="smart-order"' in html and prepaid.order.name in html
    assert 'id="smart-task"' in html and "Install printers" in html
    assert 'data-testid="remaining-hours">50.00 h' in html


def test_an_item_of_another_customer_is_a_field_error_and_nothing_is_saved(agent_client, prepaid):
    foreign = OrderLineFactory(order=OrderFactory(state=Order.State.SALE))
    response = agent_client.post(detail(prepaid.ticket), form_data(prepaid.ticket, sale_line=foreign.pk))
    assert response.status_code == 200
    assert "sale_line" in response.context["form"].errors
    assert "customer" in response.context["form"].errors["sale_line"][0]
    prepaid.ticket.refresh_from_db()
    assert prepaid.ticket.sale_line == prepaid.line


def test_changing_the_item_moves_the_unbilled_timesheet_lines_with_it(agent_client, prepaid):
    kept = timesheet_log(
        employee=prepaid.agent,
        date=datetime.date.today(),
        hours=Decimal("2"),
        user=prepaid.agent,
        ticket=prepaid.ticket,
    )
    billed = TimesheetLineFactory(
        ticket=prepaid.ticket,
        project=prepaid.team.project,
        sale_line=prepaid.line,
        invoice=InvoiceFactory(customer=prepaid.customer),
    )
    new_line = OrderLineFactory(
        order=OrderFactory(customer=prepaid.customer, state=Order.State.SALE),
        product=ProductFactory(timesheet=True),
    )
    response = agent_client.post(detail(prepaid.ticket), form_data(prepaid.ticket, sale_line=new_line.pk))
    assert response.status_code == 302
    kept.refresh_from_db()
    billed.refresh_from_db()
    assert kept.sale_line == new_line
    assert billed.sale_line == prepaid.line


def test_clearing_the_item_makes_the_tickets_lines_not_billable(agent_client, prepaid):
    line = timesheet_log(
        employee=prepaid.agent,
        date=datetime.date.today(),
        hours=Decimal("1"),
        user=prepaid.agent,
        ticket=prepaid.ticket,
    )
    agent_client.post(detail(prepaid.ticket), form_data(prepaid.ticket, sale_line=None))
    line.refresh_from_db()
    assert line.sale_line is None


def test_saving_the_form_in_a_closed_stage_stamps_closed_at(agent_client, prepaid):
    solved = Stage.objects.get(name="Solved")
    agent_client.post(detail(prepaid.ticket), form_data(prepaid.ticket, stage=solved.pk))
    prepaid.ticket.refresh_from_db()
    assert prepaid.ticket.stage == solved
    assert prepaid.ticket.closed_at is not None


def test_an_assignee_outside_the_team_is_refused_next_to_the_field(agent_client, prepaid):
    from tests.factories import UserFactory

    outsider = UserFactory(roles=["agent"])
    response = agent_client.post(detail(prepaid.ticket), form_data(prepaid.ticket, assignee=outsider.pk))
    assert "assignee" in response.context["form"].errors


def test_a_ticket_without_title_is_refused(agent_client, prepaid):
    response = agent_client.post(detail(prepaid.ticket), form_data(prepaid.ticket, title=""))
    assert "title" in response.context["form"].errors


def test_a_changed_customer_gets_its_own_default_item(prepaid):
    other = CustomerFactory()
    other_line = OrderLineFactory(order=OrderFactory(customer=other, state=Order.State.SALE))
    ticket = services.ticket_update(ticket=prepaid.ticket, user=prepaid.agent, customer=other)
    assert ticket.sale_line == other_line


def test_ticket_factory_tickets_without_item_show_no_remaining_hours(agent_client, agent):
    ticket = TicketFactory(team=TeamFactory(members=[agent]))
    html = agent_client.get(detail(ticket)).content.decode()
    assert 'data-testid="remaining-hours">—' in html


def test_sales_users_get_a_link_to_the_order_page(client, seller, prepaid):
    client.force_login(seller)
    html = client.get(detail(prepaid.ticket)).content.decode()
    assert f'href="{reverse("sales:order_detail", kwargs={"pk": prepaid.order.pk})}"' in html


def test_the_task_smart_button_links_to_the_task_page(agent_client, prepaid):
    task = TaskFactory(customer=prepaid.customer)
    services.ticket_update(ticket=prepaid.ticket, user=prepaid.agent, task=task)
    html = agent_client.get(detail(prepaid.ticket)).content.decode()
    assert f'href="{reverse("projects:task_detail", kwargs={"pk": task.pk})}"' in html
