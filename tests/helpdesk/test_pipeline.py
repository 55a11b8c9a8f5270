"""Pipelines and the ticket list: columns, counts, filters, moves, pagination."""

import json

import pytest
from django.urls import reverse

from helpdesk.models import Stage
from tests.factories import CustomerFactory, TeamFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def team(agent):
    return TeamFactory(name="Level 1", members=[agent])


def stage(name):
    return Stage.objects.get(name=name)


def columns(response):
    return {c.stage.name: c for c in response.context["columns"]}


def pipeline(client, team, **params):
    return client.get(reverse("helpdesk:pipeline", args=[team.pk]), params)


def test_the_pipeline_shows_the_teams_tickets_in_stage_columns_with_counts(agent_client, team):
    TicketFactory.create_batch(3, team=team, stage=stage("New"))
    TicketFactory(team=team, stage=stage("Solved"))
    TicketFactory(team=TeamFactory(), stage=stage("New"))  # another team's
    response = pipeline(agent_client, team)
    cols = columns(response)
    assert list(cols) == ["New", "In progress", "Solved", "Cancelled"]
    assert [c.count for c in cols.values()] == [3, 0, 1, 0]
    assert len(cols["New"].tickets) == 3
    assert 'data-testid="count-new">3<' in response.content.decode()


def test_pipeline_filters_mine_unassigned_customer_assignee_and_search(agent_client, agent, team):
    colleague = UserFactory(roles=["agent"])
    team.members.add(colleague)
    acme = CustomerFactory(name="Acme")
    mine = TicketFactory(team=team, assignee=agent, title="Mail bounce", customer=acme)
    theirs = TicketFactory(team=team, assignee=colleague, title="Broken screen")
    nobody = TicketFactory(team=team, title="Slow VPN")

    def ids(**params):
        cols = columns(pipeline(agent_client, team, **params))
        return {t.pk for c in cols.values() for t in c.tickets}

    assert ids(mine=1) == {mine.pk}
    assert ids(unassigned=1) == {nobody.pk}
    assert ids(assignee=colleague.pk) == {theirs.pk}
    assert ids(customer=acme.pk) == {mine.pk}
    assert ids(q="vpn") == {nobody.pk}
    assert ids(q=f"#{theirs.pk}") == {theirs.pk}
    assert columns(pipeline(agent_client, team, mine=1))["New"].count == 1


def test_filtering_with_htmx_answers_only_the_board(agent_client, team):
    TicketFactory(team=team)
    response = agent_client.get(
        reverse("helpdesk:pipeline", args=[team.pk]), {"q": "x"}, HTTP_HX_TARGET="pipeline-board", **HX
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="pipeline-board"')
    assert "<html" not in html


def test_columns_are_paginated(agent_client, team):
    TicketFactory.create_batch(25, team=team)
    first = columns(pipeline(agent_client, team))["New"]
    assert first.count == 25 and len(first.tickets) == 20
    second = columns(pipeline(agent_client, team, page=2))["New"]
    assert len(second.tickets) == 5
    assert not {t.pk for t in first.tickets} & {t.pk for t in second.tickets}


def test_moving_a_ticket_to_a_closed_stage_stamps_closed_at_and_reopening_clears_it(agent_client, team):
    ticket = TicketFactory(team=team)
    url = reverse("helpdesk:ticket_move", args=[ticket.pk])
    response = agent_client.post(url, {"stage": stage("Solved").pk}, **HX)
    assert response.status_code == 204
    assert json.loads(response.headers["HX-Trigger"]) == {"pipeline-changed": {}}
    ticket.refresh_from_db()
    assert ticket.stage.name == "Solved" and ticket.closed_at is not None
    agent_client.post(url, {"stage": stage("In progress").pk}, **HX)
    ticket.refresh_from_db()
    assert ticket.stage.name == "In progress" and ticket.closed_at is None


def test_moving_to_a_stage_the_team_does_not_use_is_refused(agent_client, team):
    odd = Stage.objects.create(name="Waiting on vendor", sequence=15)
    ticket = TicketFactory(team=team)
    response = agent_client.post(reverse("helpdesk:ticket_move", args=[ticket.pk]), {"stage": odd.pk}, **HX)
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.stage.name == "New"


def test_the_ticket_list_shows_tickets_of_my_teams_with_links_to_their_pipelines(agent_client, team):
    mine = TicketFactory(team=team, title="Mine to solve")
    TicketFactory(title="Other team's")
    response = agent_client.get(reverse("helpdesk:ticket_list"))
    html = response.content.decode()
    assert "Mine to solve" in html and "Other team&#x27;s" not in html
    assert reverse("helpdesk:pipeline", args=[team.pk]) in html
    assert [t.pk for t in response.context["tickets"]] == [mine.pk]


def test_the_ticket_list_is_paginated_and_filtered(agent_client, agent, team):
    TicketFactory.create_batch(55, team=team)
    assigned = TicketFactory(team=team, assignee=agent)
    response = agent_client.get(reverse("helpdesk:ticket_list"))
    assert len(response.context["tickets"]) == 50
    assert response.context["page_obj"].paginator.count == 56
    response = agent_client.get(reverse("helpdesk:ticket_list"), {"mine": 1})
    assert [t.pk for t in response.context["tickets"]] == [assigned.pk]
    response = agent_client.get(reverse("helpdesk:ticket_list"), {"stage": stage("Solved").pk})
    assert list(response.context["tickets"]) == []
