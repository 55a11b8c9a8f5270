"""Roles: agents see their teams only; sales and accountants read; customers get nothing."""

import pytest
from django.urls import reverse

from tests.factories import TeamFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign_ticket():
    return TicketFactory(team=TeamFactory(name="Other team"))


def login(client, user):
    client.force_login(user)
    return client


def test_an_agent_gets_404_for_tickets_and_pipelines_of_teams_they_are_not_in(client, agent, foreign_ticket):
    login(client, agent)
    assert client.get(reverse("helpdesk:ticket_detail", args=[foreign_ticket.pk])).status_code == 404
    assert client.get(reverse("helpdesk:pipeline", args=[foreign_ticket.team_id])).status_code == 404
    assert (
        client.post(reverse("helpdesk:ticket_move", args=[foreign_ticket.pk]), {"stage": 1}).status_code
        == 404
    )
    assert client.post(reverse("helpdesk:ticket_timesheets", args=[foreign_ticket.pk]), {}).status_code == 404
    assert client.get(reverse("timesheets:timer_panel"), {"ticket": foreign_ticket.pk}).status_code == 404
    assert client.post(reverse("timesheets:timer_start"), {"ticket": foreign_ticket.pk}).status_code == 404


@pytest.mark.parametrize("role", ["sales", "accountant"])
def test_sales_and_accountants_read_tickets_but_cannot_change_them(client, role, foreign_ticket):
    user = UserFactory(roles=[role])
    login(client, user)
    detail = reverse("helpdesk:ticket_detail", args=[foreign_ticket.pk])
    response = client.get(detail)
    assert response.status_code == 200
    assert response.context["can_write"] is False
    assert "<fieldset disabled>" in response.content.decode()
    assert client.get(reverse("helpdesk:pipeline", args=[foreign_ticket.team_id])).status_code == 200
    assert client.get(reverse("helpdesk:ticket_list")).status_code == 200
    assert client.post(detail, {"title": "Hacked"}).status_code == 403
    assert (
        client.post(reverse("helpdesk:ticket_move", args=[foreign_ticket.pk]), {"stage": 1}).status_code
        == 403
    )
    assert client.post(reverse("helpdesk:ticket_timesheets", args=[foreign_ticket.pk]), {}).status_code == 403
    assert client.get(reverse("helpdesk:ticket_create")).status_code == 403
    foreign_ticket.refresh_from_db()
    assert foreign_ticket.title != "Hacked"


def test_customers_are_refused_the_helpdesk_pages(client, customer_user, foreign_ticket):
    login(client, customer_user)
    for url in (
        reverse("helpdesk:ticket_list"),
        reverse("helpdesk:pipeline", args=[foreign_ticket.team_id]),
        reverse("helpdesk:ticket_detail", args=[foreign_ticket.pk]),
        reverse("helpdesk:ticket_create"),
        reverse("timesheets:line_list"),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("timesheets:timer_start"), {"ticket": foreign_ticket.pk}).status_code == 403


def test_anonymous_users_are_sent_to_the_login_page(client, foreign_ticket):
    response = client.get(reverse("helpdesk:ticket_list"))
    assert response.status_code == 302 and "/login/" in response.url


def test_an_agent_sees_only_their_teams_in_the_list(client, agent, foreign_ticket):
    team = TeamFactory(members=[agent])
    TicketFactory(team=team)
    login(client, agent)
    response = client.get(reverse("helpdesk:ticket_list"))
    assert [t.team_id for t in response.context["tickets"]] == [team.pk]
    assert [t.pk for t in response.context["teams"]] == [team.pk]


def test_nav_shows_tickets_and_timesheets_to_agents(client, agent):
    login(client, agent)
    html = client.get("/").content.decode()
    assert reverse("helpdesk:ticket_list") in html
    assert reverse("timesheets:line_list") in html
