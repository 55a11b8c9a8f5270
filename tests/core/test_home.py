"""The home page per role: each figure counts what its link lists."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from helpdesk.models import Stage
from invoicing.models import Invoice
from sales.models import Order
from tests.clock import on_day
from tests.factories import (
    CustomerFactory,
    InvoiceFactory,
    OrderFactory,
    ProductFactory,
    TeamFactory,
    TicketFactory,
    TimerFactory,
    TimesheetLineFactory,
)

pytestmark = pytest.mark.django_db
HOME = reverse("home")
WEDNESDAY = datetime.date(2026, 11, 4)


def figures(response) -> dict:
    return {f.key: f for section in response.context["sections"] for f in section["figures"]}


def sections(response) -> list[str]:
    return [section["key"] for section in response.context["sections"]]


def open_in_list(client, figure):
    """The rows of the list the figure links to."""
    response = client.get(figure.url)
    assert response.status_code == 200
    return response


@pytest.fixture
def agent_day(agent):
    team = TeamFactory(members=[agent])
    closed = Stage.objects.filter(is_closed=True).first()
    TicketFactory(team=team, assignee=agent, title="Mine open 1")
    TicketFactory(team=team, assignee=agent, title="Mine open 2")
    TicketFactory(team=team, assignee=agent, title="Mine closed", stage=closed)
    TicketFactory(team=team, title="Someone else's")
    for day, hours in ((WEDNESDAY, "2.50"), (WEDNESDAY - datetime.timedelta(days=2), "3.00")):
        TimesheetLineFactory(employee=agent, date=day, hours=Decimal(hours), project=team.project)
    # Last week's Sunday: not this week.
    sunday_before = datetime.date(2026, 11, 1)
    TimesheetLineFactory(employee=agent, date=sunday_before, hours=Decimal("4"), project=team.project)
    return team


def test_agent_sees_open_tickets_hours_and_timer_each_linked_to_its_list(client, agent, agent_day):
    timer = TimerFactory(user=agent, ticket=agent_day.tickets.first())
    client.force_login(agent)
    with on_day(WEDNESDAY):
        response = client.get(HOME)
        assert sections(response) == ["agent"]
        got = figures(response)
        assert got["open_tickets"].value == "2"
        titles = {t.title for t in open_in_list(client, got["open_tickets"]).context["tickets"]}
        assert titles == {"Mine open 1", "Mine open 2"}
        assert got["hours_today"].value == "2.50 h"
        assert got["hours_week"].value == "5.50 h"
        week = open_in_list(client, got["hours_week"])
        assert sorted(line.hours for line in week.context["lines"]) == [Decimal("2.50"), Decimal("3.00")]
        today = open_in_list(client, got["hours_today"])
        assert [line.hours for line in today.context["lines"]] == [Decimal("2.50")]
    assert got["timer"].label == "Running timer"
    assert got["timer"].url == reverse("helpdesk:ticket_detail", args=[timer.ticket_id])


def test_agent_without_timer_sees_it_is_not_running(client, agent):
    client.force_login(agent)
    got = figures(client.get(HOME))
    assert (got["timer"].label, got["timer"].url) == ("No timer running", "")
    keys = [f.key for f in client.get(HOME).context["sections"][0]["figures"]]
    assert keys == ["open_tickets", "hours_today", "hours_week", "timer"]
    assert got["hours_today"].value == "0.00 h"


def test_sales_sees_quotations_orders_to_invoice_and_upsell(client, seller):
    OrderFactory.create_batch(2)
    OrderFactory(state=Order.State.SALE, invoice_status=Order.InvoiceStatus.TO_INVOICE)
    OrderFactory(state=Order.State.SALE, is_upsell=True, upsell_flagged_at=timezone.now())
    client.force_login(seller)
    response = client.get(HOME)
    assert sections(response) == ["sales"]
    got = figures(response)
    assert (got["quotations"].value, got["orders_to_invoice"].value, got["upsell"].value) == ("2", "1", "1")
    assert len(open_in_list(client, got["quotations"]).context["page"]) == 2
    assert len(open_in_list(client, got["orders_to_invoice"]).context["page"]) == 1
    assert len(open_in_list(client, got["upsell"]).context["rows"]) == 1


def test_accountant_sees_drafts_overdue_and_amount_due(client, accountant, settings):
    customer = CustomerFactory()
    with on_day(WEDNESDAY):
        InvoiceFactory(customer=customer)  # a draft
        posted = {
            "customer": customer,
            "state": Invoice.State.POSTED,
            "amount_untaxed": Decimal("1000.00"),
            "amount_total": Decimal("1210.00"),
        }
        InvoiceFactory(number="A1", due_date=WEDNESDAY - datetime.timedelta(days=3), **posted)
        InvoiceFactory(number="A2", due_date=WEDNESDAY + datetime.timedelta(days=3), **posted)
        InvoiceFactory(
            number="C1",
            kind=Invoice.Kind.CREDIT_NOTE,
            **{**posted, "amount_total": Decimal("10.00"), "amount_untaxed": Decimal("10.00")},
        )
        client.force_login(accountant)
        response = client.get(HOME)
        assert sections(response) == ["accountant"]
        got = figures(response)
        assert (got["drafts_to_post"].value, got["overdue"].value) == ("1", "1")
        assert got["amount_due"].value == f"2,410.00 {settings.CURRENCY}"
        assert len(open_in_list(client, got["drafts_to_post"]).context["page"]) == 1
        assert [i.number for i in open_in_list(client, got["overdue"]).context["page"]] == ["A1"]
        listed = open_in_list(client, got["amount_due"])
        assert listed.context["totals"]["due"] == Decimal("2410.00")


def test_admin_sees_set_up_checks_linked_to_the_admin_lists(client, admin_staff):
    TeamFactory(use_timesheets=False, use_billing=False, project=None, name="No project team")
    ProductFactory(name="Free thing", price=Decimal("0"))
    client.force_login(admin_staff)
    response = client.get(HOME)
    assert sections(response) == ["admin"]
    got = figures(response)
    assert got["teams_without_project"].value == "1" and got["teams_without_project"].attention
    assert got["products_without_price"].value == "1"
    teams = client.get(got["teams_without_project"].url)
    assert teams.status_code == 200 and "No project team" in teams.content.decode()
    products = client.get(got["products_without_price"].url)
    assert products.status_code == 200 and "Free thing" in products.content.decode()


def test_a_superuser_sees_every_section(client, admin_user):
    client.force_login(admin_user)
    assert sections(client.get(HOME)) == ["agent", "sales", "accountant", "admin"]


def test_portal_customers_go_to_their_portal(client, customer_user):
    client.force_login(customer_user)
    assert client.get(HOME).status_code == 302


@pytest.mark.parametrize("size", [1, 10])
def test_the_home_runs_a_fixed_number_of_queries(client, admin_user, django_assert_num_queries, size):
    team = TeamFactory(members=[admin_user])
    for _ in range(size):
        TicketFactory(team=team, assignee=admin_user)
        TimesheetLineFactory(employee=admin_user, project=team.project)
        OrderFactory()
        InvoiceFactory()
    client.force_login(admin_user)
    client.get(HOME)
    # savepoint pair, session, user, its groups; tickets, hours, timer; orders; invoices; teams,
    # products: the same at any size.
    with django_assert_num_queries(12):
        assert client.get(HOME).status_code == 200
