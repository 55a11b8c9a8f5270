"""The timer in the browser: panel, header widget, stop dialog (htmx endpoints)."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from timesheets import timers
from timesheets.models import Timer, TimesheetLine

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def test_the_ticket_page_embeds_the_timer_of_the_ticket(agent_client, prepaid):
    html = agent_client.get(reverse("helpdesk:ticket_detail", args=[prepaid.ticket.pk])).content.decode()
    assert f"{reverse('timesheets:timer_panel')}?ticket={prepaid.ticket.pk}" in html


def test_every_page_has_the_header_timer_slot_for_agents(agent_client):
    html = agent_client.get("/").content.decode()
    assert 'id="header-timer"' in html
    assert reverse("timesheets:timer_widget") in html
    assert "js/timer.js" in html


def test_start_answers_an_event_and_the_panel_then_shows_the_running_clock(agent_client, prepaid):
    response = agent_client.post(reverse("timesheets:timer_start"), {"ticket": prepaid.ticket.pk}, **HX)
    assert response.status_code == 200
    assert "timer-changed" in json.loads(response.headers["HX-Trigger"])
    # The action's message, swapped out of band into the page's message list.
    assert 'id="messages"' in response.content.decode() and "hx-swap-oob" in response.content.decode()
    assert f"Timer started on ticket #{prepaid.ticket.pk}." in response.content.decode()
    html = agent_client.get(reverse("timesheets:timer_panel"), {"ticket": prepaid.ticket.pk}).content.decode()
    assert 'data-running="1"' in html and "Pause" in html and "Stop" in html


def test_the_header_widget_survives_a_reload_with_the_elapsed_time_from_the_database(agent_client, prepaid):
    timer = timers.timer_start(user=prepaid.agent, ticket=prepaid.ticket)
    Timer.objects.filter(pk=timer.pk).update(running_since=timezone.now() - datetime.timedelta(minutes=5))
    html = agent_client.get(reverse("timesheets:timer_widget")).content.decode()
    assert f"#{prepaid.ticket.pk}" in html
    assert reverse("helpdesk:ticket_detail", args=[prepaid.ticket.pk]) in html
    assert "0:05:0" in html
    assert 'data-running="1"' in html


def test_pause_and_resume_from_the_widget(agent_client, prepaid):
    timer = timers.timer_start(user=prepaid.agent, ticket=prepaid.ticket)
    agent_client.post(reverse("timesheets:timer_pause", args=[timer.pk]), **HX)
    timer.refresh_from_db()
    assert timer.state == "paused"
    agent_client.post(reverse("timesheets:timer_resume", args=[timer.pk]), **HX)
    timer.refresh_from_db()
    assert timer.state == "running"


def test_the_stop_dialog_proposes_the_rounded_duration_and_logging_creates_the_line(agent_client, prepaid):
    timer = timers.timer_start(user=prepaid.agent, ticket=prepaid.ticket)
    Timer.objects.filter(pk=timer.pk).update(running_since=timezone.now() - datetime.timedelta(minutes=16))
    url = reverse("timesheets:timer_stop", args=[timer.pk])
    dialog = agent_client.get(url, **HX).content.decode()
    assert 'value="0.50"' in dialog
    assert 'name="description"' in dialog
    response = agent_client.post(url, {"hours": "0.50", "description": "Reset the spooler"}, **HX)
    assert response.status_code == 200
    events = json.loads(response.headers["HX-Trigger"])
    assert "timesheets-changed" in events and "timer-changed" in events
    line = TimesheetLine.objects.get()
    assert (line.hours, line.description, line.ticket) == (
        timer_hours("0.50"),
        "Reset the spooler",
        prepaid.ticket,
    )
    assert not Timer.objects.exists()


def test_a_bad_duration_in_the_stop_dialog_is_shown_next_to_the_field(agent_client, prepaid):
    timer = timers.timer_start(user=prepaid.agent, ticket=prepaid.ticket)
    response = agent_client.post(
        reverse("timesheets:timer_stop", args=[timer.pk]), {"hours": "0", "description": ""}, **HX
    )
    assert "hours" in response.context["form"].errors
    assert Timer.objects.filter(pk=timer.pk).exists()
    assert not TimesheetLine.objects.exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "Enter the hours as a number, e.g. 1.5."),
        ("1.234", "Enter the hours with at most two decimals, e.g. 1.25."),
        ("25", "A line cannot have more than 24 hours."),
        ("", "Enter the hours."),
    ],
)
def test_non_numeric_or_mis_stepped_hours_get_a_server_message(agent_client, prepaid, typed, message):
    """A text input (no browser bubble, no step): the server names every mistake."""
    timer = timers.timer_start(user=prepaid.agent, ticket=prepaid.ticket)
    url = reverse("timesheets:timer_stop", args=[timer.pk])
    assert 'type="number"' not in agent_client.get(url, **HX).content.decode()
    response = agent_client.post(url, {"hours": typed, "description": ""}, **HX)
    assert message in response.content.decode()
    assert not TimesheetLine.objects.exists()


def test_stopping_the_timer_ends_in_a_message_and_reads_a_decimal_comma(agent_client, prepaid):
    timer = timers.timer_start(user=prepaid.agent, ticket=prepaid.ticket)
    response = agent_client.post(
        reverse("timesheets:timer_stop", args=[timer.pk]), {"hours": "1,5", "description": ""}, **HX
    )
    line = TimesheetLine.objects.get()
    assert line.hours == timer_hours("1.50")
    logged = f"1.50 h logged on ticket #{prepaid.ticket.pk} ({line.date:%Y-%m-%d})."
    assert logged in response.content.decode()


def test_an_agent_cannot_drive_someone_elses_timer(client, prepaid):
    from tests.factories import UserFactory

    timer = timers.timer_start(user=prepaid.agent, ticket=prepaid.ticket)
    intruder = UserFactory(roles=["agent"])
    client.force_login(intruder)
    assert client.post(reverse("timesheets:timer_pause", args=[timer.pk])).status_code == 404
    assert client.get(reverse("timesheets:timer_stop", args=[timer.pk])).status_code == 404


def timer_hours(value):
    from decimal import Decimal

    return Decimal(value)
