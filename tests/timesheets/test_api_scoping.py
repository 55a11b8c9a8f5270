"""Scoping rules (README "Roles"): who sees and logs which timesheet lines, who may be a team
member, which fields portal customers never read."""

import datetime
from decimal import Decimal

import pytest

from core.errors import DomainError
from helpdesk import services as helpdesk_services
from tests.factories import (
    CustomerFactory,
    OrderFactory,
    ProductFactory,
    TeamFactory,
    TicketFactory,
    TimesheetLineFactory,
    UserFactory,
)
from timesheets.models import TimesheetLine
from timesheets.services import timesheet_log

DAY = datetime.date(2026, 11, 2)


@pytest.fixture
def two_teams(db, agent):
    mine = TeamFactory(name="Mine", use_timesheets=True)
    mine.members.add(agent)
    theirs = TeamFactory(name="Theirs", use_timesheets=True)
    theirs.members.add(UserFactory(username="other-agent", roles=["agent"]))
    return mine, theirs


def test_an_agent_lists_own_lines_and_lines_of_their_teams_only(api_as, agent, two_teams, seller):
    mine, theirs = two_teams
    colleague = UserFactory(username="colleague", roles=["agent"])
    own = TimesheetLineFactory(employee=agent)
    on_my_team = TimesheetLineFactory(employee=colleague, ticket=TicketFactory(team=mine))
    elsewhere = TimesheetLineFactory(employee=colleague, ticket=TicketFactory(team=theirs))
    ids = {row["id"] for row in api_as(agent).get("/api/v1/timesheets/").json()["results"]}
    assert ids == {own.pk, on_my_team.pk}
    assert api_as(agent).get(f"/api/v1/timesheets/{elsewhere.pk}/").status_code == 404
    everything = {row["id"] for row in api_as(seller).get("/api/v1/timesheets/").json()["results"]}
    assert {own.pk, on_my_team.pk, elsewhere.pk} <= everything


def test_an_agent_cannot_log_on_a_ticket_of_another_team(api_as, agent, two_teams):
    _mine, theirs = two_teams
    ticket = TicketFactory(team=theirs)
    response = api_as(agent).post(
        "/api/v1/timesheets/", {"ticket": ticket.pk, "hours": "1.00", "date": DAY.isoformat()}, format="json"
    )
    assert response.status_code == 400 and "ticket" in response.json()
    assert not TimesheetLine.objects.filter(ticket=ticket).exists()


def test_an_agent_cannot_log_for_another_employee(agent, two_teams):
    mine, _theirs = two_teams
    colleague = UserFactory(username="colleague2", roles=["agent"])
    with pytest.raises(DomainError) as refused:
        timesheet_log(
            employee=colleague, user=agent, date=DAY, hours=Decimal("1"), ticket=TicketFactory(team=mine)
        )
    assert refused.value.field == "employee"


def test_an_admin_may_log_for_someone_on_any_team(admin_staff, two_teams):
    _mine, theirs = two_teams
    worker = UserFactory(username="worker-x", roles=["agent"])
    line = timesheet_log(
        employee=worker, user=admin_staff, date=DAY, hours=Decimal("1"), ticket=TicketFactory(team=theirs)
    )
    assert line.employee == worker


def test_a_customer_cannot_be_made_a_team_member(api_as, admin_staff, customer_user):
    response = api_as(admin_staff).post(
        "/api/v1/teams/", {"name": "Mixed", "members": [customer_user.pk]}, format="json"
    )
    assert response.status_code == 400 and "members" in response.json()
    with pytest.raises(DomainError):
        helpdesk_services.team_members_validate(members=[customer_user])


def test_portal_customers_do_not_read_internal_fields(api_as, customer_user, seller):
    customer = CustomerFactory(name="Portal Co")
    customer.portal_users.add(customer_user)
    order = OrderFactory(customer=customer)
    product = ProductFactory(upsell_threshold=Decimal("80"))
    as_customer = api_as(customer_user)
    product_row = as_customer.get(f"/api/v1/products/{product.pk}/").json()
    assert (
        "name" in product_row and "upsell_threshold" not in product_row and "qty_on_hand" not in product_row
    )
    order_row = as_customer.get(f"/api/v1/orders/{order.pk}/").json()
    assert order_row["id"] == order.pk and "is_upsell" not in order_row and "upsell_reason" not in order_row
    staff_row = api_as(seller).get(f"/api/v1/orders/{order.pk}/").json()
    assert "is_upsell" in staff_row and "upsell_reason" in staff_row
