"""Browser journey of "My week": an agent copies last week's rows, types hours from the keyboard
(Tab across the days, Enter saves and moves down, 1:30 accepted), sees the totals follow, the
warning past the prepaid block and a refused cell's own message; at 1366 px and 390 px wide the
page never scrolls sideways (the grid scrolls inside its card)."""

import datetime
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.clock import frozen_on
from tests.e2e.test_accessibility import blocking_violations
from tests.factories import (
    CustomerFactory,
    PrepaidLineFactory,
    SaleOrderFactory,
    TaskFactory,
    TeamFactory,
    TicketFactory,
    UserFactory,
)
from timesheets import services as timesheets
from timesheets.models import TimesheetLine

pytestmark = pytest.mark.django_db(transaction=True)

MONDAY = datetime.date(2026, 3, 9)
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@frozen_on(datetime.date(2026, 3, 11))  # a Wednesday
def test_an_agent_fills_the_week_from_the_keyboard(page, login, shot):
    agent = UserFactory(username="e2e-week", first_name="Wes", last_name="Weekly", roles=["agent"])
    customer = CustomerFactory(name="Globex")
    block = PrepaidLineFactory(order=SaleOrderFactory(customer=customer), quantity=Decimal("10.00"))
    team = TeamFactory(members=[agent])
    ticket = TicketFactory(team=team, customer=customer, sale_line=block, title="VPN drops every hour")
    task = TaskFactory(title="Firewall migration plan")
    for day, hours, target in (
        (MONDAY, "9.00", {"ticket": ticket}),
        (MONDAY - datetime.timedelta(days=6), "2.00", {"task": task}),
    ):
        timesheets.timesheet_log(employee=agent, user=agent, date=day, hours=Decimal(hours), **target)

    login(page, agent)
    page.goto("/timesheets/week/")
    assert "?week=2026-03-02" in page.get_attribute("a[rel=prev]", "href")
    page.click("text=Copy last week's rows")
    page.wait_for_selector(f"tr[data-row='task-{task.pk}']")
    agent_types_two_cells_and_saves_with_enter(page, shot, ticket, task)
    a_refused_cell_shows_its_own_message(page, shot, task)
    agent_fills_a_cell_on_a_phone(page, shot, ticket)

    page.goto("/timesheets/")
    assert "Total Thu 2026-03-12" in page.inner_text("table.line-table")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    shot(page, "timesheets-day-totals-390")


def agent_types_two_cells_and_saves_with_enter(page, shot, ticket, task):
    tuesday = f"cell-ticket-{ticket.pk}-2026-03-10"
    page.click(f"input[name='{tuesday}']")
    page.keyboard.type("1:30")
    page.keyboard.press("Tab")  # → Wednesday of the same row
    page.keyboard.type("0.5")
    row_total = page.locator(f"tr[data-row='ticket-{ticket.pk}'] .row-total")
    assert row_total.inner_text() == "11.00"  # follows the typing, before saving
    assert page.locator("#week-total").inner_text() == "11.00"
    page.keyboard.press("Enter")  # saves, and the cell below (same day, next row) gets the focus
    page.wait_for_selector(".msg-success")
    assert "Week saved: 2 cells changed." in page.inner_text(".messages")
    assert "logged past the 10.00 h prepaid" in page.inner_text(".msg-warning")
    focused = page.evaluate("document.activeElement.name")
    assert focused == f"cell-task-{task.pk}-2026-03-11"
    assert TimesheetLine.objects.get(ticket=ticket, date=datetime.date(2026, 3, 10)).hours == Decimal("1.50")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    shot(page, "week-grid-1366")


def a_refused_cell_shows_its_own_message(page, shot, task):
    page.keyboard.type("two")  # refused: its own message on its cell, nothing saved
    page.keyboard.press("Enter")
    page.wait_for_selector(".cell-error")
    assert "Enter hours as a number (1.5) or as h:mm (1:30)." in page.inner_text("td.has-error")
    assert page.get_attribute(f"input[name='cell-task-{task.pk}-2026-03-11']", "aria-invalid") == "true"
    assert page.evaluate("document.activeElement.name") == f"cell-task-{task.pk}-2026-03-11"
    assert blocking_violations(page, Axe()) == []  # the grid with a refused cell
    shot(page, "week-grid-error-1366")


def agent_fills_a_cell_on_a_phone(page, shot, ticket):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/timesheets/week/")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.click(f"input[name='cell-ticket-{ticket.pk}-2026-03-12']")
    page.keyboard.type("0:45")
    page.keyboard.press("Enter")
    page.wait_for_selector(".msg-success")
    assert TimesheetLine.objects.get(ticket=ticket, date=datetime.date(2026, 3, 12)).hours == Decimal("0.75")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert blocking_violations(page, Axe()) == []
    shot(page, "week-grid-390")
