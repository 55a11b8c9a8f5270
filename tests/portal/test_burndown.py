"""Hours left with a chart: per prepaid line sold / used / left, the last 90 days and the day the
hours run out at the last 30 days' pace; in the portal and on the order page for staff."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from sales.models import Order
from tests.factories import (
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    TeamFactory,
    TicketFactory,
    TimesheetLineFactory,
)
from timesheets.burndown import sale_lines_burndown

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def frozen_day():
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC), tick=True):
        yield


@pytest.fixture
def block(customer_user, agent):
    """A 50 h prepaid line with 10 h logged in each of the last 3 weeks."""
    customer = CustomerFactory(name="Globex")
    customer.portal_users.add(customer_user)
    order = OrderFactory(customer=customer, state=Order.State.SALE)
    line = OrderLineFactory(order=order, quantity=Decimal("50.00"), description="Support 50 h")
    team = TeamFactory(members=[agent])
    ticket = TicketFactory(team=team, customer=customer, sale_line=line)
    for week in range(3):
        for day in range(5):
            TimesheetLineFactory(
                date=TODAY - datetime.timedelta(days=7 * week + day),
                hours=Decimal("2.00"),
                sale_line=line,
                ticket=ticket,
                employee=agent,
                project=team.project,
            )
    return line


def test_fifty_hours_with_ten_a_week_for_three_weeks_leaves_twenty(block):
    [burndown] = sale_lines_burndown(lines=[block], today=TODAY)
    assert (burndown.sold, burndown.used, burndown.left) == (
        Decimal("50.00"),
        Decimal("30.00"),
        Decimal("20.00"),
    )
    assert len(burndown.days) == 90 and burndown.days[-1] == TODAY
    assert burndown.remaining[0] == Decimal("50.00") and burndown.remaining[-1] == Decimal("20.00")
    # 30 h in the last 30 days: 1 h a day, 20 h left → runs out in 20 days.
    assert burndown.pace == Decimal("1.00")
    assert burndown.runs_out_on == TODAY + datetime.timedelta(days=20)
    assert "20.00 h left" in burndown.summary and "2026-12-10" in burndown.summary


def test_hours_before_the_window_count_as_used(block, agent):
    TimesheetLineFactory(
        date=TODAY - datetime.timedelta(days=120), hours=Decimal("5.00"), sale_line=block, employee=agent
    )
    [burndown] = sale_lines_burndown(lines=[block], today=TODAY)
    assert burndown.remaining[0] == Decimal("45.00") and burndown.left == Decimal("15.00")


def test_no_recent_hours_means_no_forecast():
    line = OrderLineFactory(order=OrderFactory(state=Order.State.SALE), quantity=Decimal("10.00"))
    [burndown] = sale_lines_burndown(lines=[line], today=TODAY)
    assert burndown.runs_out_on is None and "no forecast" in burndown.summary


def test_chart_is_svg_with_a_text_alternative_and_labels_not_only_colour(block):
    [burndown] = sale_lines_burndown(lines=[block], today=TODAY)
    svg = str(burndown.svg)
    assert svg.startswith("<svg") and 'role="img"' in svg and "aria-labelledby" in svg
    assert f'<desc id="burndown-{block.pk}-d">' in svg and "2026-12-10" in svg
    assert "20.00 h left" in svg and "out 2026-12-10" in svg
    assert 'class="forecast"' in svg and "<script" not in svg


def test_portal_shows_the_chart_and_its_text(client, customer_user, block):
    client.force_login(customer_user)
    html = client.get(reverse("portal:home")).content.decode()
    assert 'data-testid="burndown"' in html and "<svg" in html
    assert "run out on 2026-12-10" in html


def test_order_page_shows_the_chart_to_staff(client, seller, block):
    client.force_login(seller)
    html = client.get(reverse("sales:order_detail", args=[block.order_id])).content.decode()
    assert 'id="burndown"' in html and "20.00 h left" in html


def test_quotations_have_no_chart(client, seller):
    line = OrderLineFactory(order=OrderFactory(state=Order.State.DRAFT), quantity=Decimal("10.00"))
    client.force_login(seller)
    html = client.get(reverse("sales:order_detail", args=[line.order_id])).content.decode()
    assert 'id="burndown"' not in html


@pytest.mark.parametrize("n_lines", [1, 6])
def test_portal_home_query_count_does_not_grow_with_prepaid_lines(
    client, customer_user, block, agent, n_lines, django_assert_num_queries
):
    for i in range(n_lines - 1):
        line = OrderLineFactory(order=block.order, quantity=Decimal("20.00"), description=f"Extra {i}")
        TimesheetLineFactory(date=TODAY, hours=Decimal("1.00"), sale_line=line, employee=agent)
    client.force_login(customer_user)
    with django_assert_num_queries(PORTAL_HOME_QUERIES):
        response = client.get(reverse("portal:home"))
    assert len(response.context["burndowns"]) == n_lines


# session, user, roles, customers, prepaid lines, burn-down (before the window, per day),
# tickets, invoices, portal teams, and the request's savepoint and release
PORTAL_HOME_QUERIES = 12
