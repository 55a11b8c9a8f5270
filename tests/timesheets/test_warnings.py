"""Warnings where the work happens: time logged past a prepaid line's hours or past a post-paid
line's estimate is kept and the author is told (ticket form, task form, timer stop, week grid),
while the 24 h a day refusal is an error on the hours field everywhere."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.clock import frozen_on
from tests.factories import (
    CustomerFactory,
    PrepaidLineFactory,
    ProductFactory,
    SaleOrderFactory,
    TaskFactory,
    TeamFactory,
    TicketFactory,
)
from timesheets import services as timesheets
from timesheets import timers
from timesheets.models import TimesheetLine
from timesheets.selectors import order_lines_past_sold_hours

HX = {"HTTP_HX_REQUEST": "true"}
TODAY = datetime.date(2026, 3, 11)
pytestmark = [pytest.mark.django_db, frozen_on(TODAY)]


@pytest.fixture
def work(agent):
    customer = CustomerFactory(name="Globex")
    block = PrepaidLineFactory(
        order=SaleOrderFactory(customer=customer), quantity=Decimal("4.00"), description="Support 4 h"
    )
    estimate = PrepaidLineFactory(
        order=SaleOrderFactory(customer=customer),
        product=ProductFactory(timesheet=True),
        quantity=Decimal("3.00"),
        description="Support on timesheets",
    )
    team = TeamFactory(members=[agent])
    return {
        "block": block,
        "estimate": estimate,
        "ticket": TicketFactory(team=team, customer=customer, sale_line=block),
        "task": TaskFactory(customer=customer, sale_line=estimate),
    }


def log(agent, hours, day=TODAY, **target):
    return timesheets.timesheet_log(employee=agent, user=agent, date=day, hours=Decimal(hours), **target)


def test_the_warning_uses_the_sales_remaining_hours_and_the_estimate(agent, work):
    block, estimate = work["block"], work["estimate"]
    log(agent, "4.00", ticket=work["ticket"])
    log(agent, "3.00", task=work["task"])
    # Exactly used up / exactly the estimate: nothing to say yet.
    assert order_lines_past_sold_hours(line_ids=[block.pk, estimate.pk]) == []
    log(agent, "0.50", day=TODAY - datetime.timedelta(days=1), ticket=work["ticket"])
    log(agent, "1.25", day=TODAY - datetime.timedelta(days=1), task=work["task"])
    assert order_lines_past_sold_hours(line_ids=[block.pk, estimate.pk, None]) == [
        f"{block.order.name} – Support 4 h: 0.50 h logged past the 4.00 h prepaid "
        "(the time is kept; the customer needs a new block).",
        f"{estimate.order.name} – Support on timesheets: 4.25 h logged, past the estimate of 3.00 h "
        "(the time is kept and billed).",
    ]


def test_the_ticket_form_logs_past_the_prepaid_hours_and_warns(client, agent, work):
    ticket = work["ticket"]
    log(agent, "3.00", ticket=ticket)
    client.force_login(agent)
    data = {"new-date": TODAY.isoformat(), "new-employee": agent.pk, "new-description": "", "new-hours": "2"}
    response = client.post(reverse("helpdesk:ticket_timesheets", args=[ticket.pk]), data, **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="past-sold">Logged. ' in html and "1.00 h logged past the 4.00 h prepaid" in html
    assert 'data-testid="prepaid-used-up"' in html  # the ticket's standing notice stays too
    assert TimesheetLine.objects.filter(ticket=ticket).count() == 2


def test_the_task_form_logs_past_the_estimate_and_warns_and_24_hours_is_an_hours_error(client, agent, work):
    task = work["task"]
    url = reverse("projects:task_timesheets", args=[task.pk])
    client.force_login(agent)
    data = {"date": TODAY.isoformat(), "employee": agent.pk, "description": "", "hours": "3.5"}
    html = client.post(url, data, **HX).content.decode()
    assert "3.50 h logged, past the estimate of 3.00 h" in html
    response = client.post(url, {**data, "hours": "21"}, **HX)
    assert list(response.context["ts_form"].errors) == ["hours"]
    assert "At most 24 hours a day" in response.context["ts_form"].errors["hours"][0]
    assert TimesheetLine.objects.filter(task=task).count() == 1


def test_the_timer_stop_warns_past_the_prepaid_hours_and_24_hours_is_an_hours_error(client, agent, work):
    ticket = work["ticket"]
    log(agent, "3.75", ticket=ticket)
    client.force_login(agent)
    timer = timers.timer_start(user=agent, ticket=ticket)
    url = reverse("timesheets:timer_stop", args=[timer.pk])
    response = client.post(url, {"hours": "0.50", "description": ""}, **HX)
    html = response.content.decode()
    assert response.status_code == 200 and "timesheets-changed" in response.headers["HX-Trigger"]
    assert "0.50 h logged</h2>" in html and "0.25 h logged past the 4.00 h prepaid" in html

    log(agent, "19.00", day=TODAY, task=TaskFactory())
    timer = timers.timer_start(user=agent, ticket=ticket)
    response = client.post(
        reverse("timesheets:timer_stop", args=[timer.pk]), {"hours": "1", "description": ""}, **HX
    )
    errors = response.context["form"].errors
    assert list(errors) == ["hours"] and "At most 24 hours a day" in errors["hours"][0]


def test_the_api_timer_stop_answers_the_same_warnings_and_keeps_the_line(agent, work):
    from rest_framework.test import APIClient

    ticket = work["ticket"]
    log(agent, "3.75", ticket=ticket)
    client = APIClient()
    client.force_authenticate(agent)
    timer = timers.timer_start(user=agent, ticket=ticket)
    answer = client.post(f"/api/v1/timers/{timer.pk}/stop/", {"hours": "0.50"}, format="json")
    assert answer.status_code == 201
    assert answer.json()["warnings"] == [
        f"{work['block'].order.name} – Support 4 h: 0.25 h logged past the 4.00 h prepaid "
        "(the time is kept; the customer needs a new block)."
    ]
    assert TimesheetLine.objects.filter(ticket=ticket).count() == 2  # a warning, not a refusal

    timer = timers.timer_start(user=agent, task=work["task"])
    answer = client.post(f"/api/v1/timers/{timer.pk}/stop/", {"hours": "3.50"}, format="json")
    assert answer.status_code == 201
    assert answer.json()["warnings"] == [
        f"{work['estimate'].order.name} – Support on timesheets: 3.50 h logged, past the estimate "
        "of 3.00 h (the time is kept and billed)."
    ]
    timer = timers.timer_start(user=agent, ticket=TicketFactory(team=ticket.team))
    answer = client.post(f"/api/v1/timers/{timer.pk}/stop/", {"hours": "0.25"}, format="json")
    assert answer.status_code == 201 and answer.json()["warnings"] == []


def test_a_timer_stop_within_the_hours_sold_closes_the_dialog_with_only_its_message(client, agent, work):
    client.force_login(agent)
    timer = timers.timer_start(user=agent, ticket=work["ticket"])
    response = client.post(
        reverse("timesheets:timer_stop", args=[timer.pk]), {"hours": "0.50", "description": ""}, **HX
    )
    content = response.content.decode()
    # No warning dialog: the modal empties, and only the out-of-band message list comes along.
    assert response.status_code == 200 and "timer-logged-warning" not in content
    assert content.strip().startswith('<div id="messages" hx-swap-oob="innerHTML">')
    assert "0.50 h logged on" in content
