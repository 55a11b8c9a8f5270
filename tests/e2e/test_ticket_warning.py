"""Warnings where the work happens (issue 14 item 7), in the browser: an agent logging past a
prepaid line's hours on the ticket page sees the warning next to the time table, and the line is
kept (a warning, not a refusal); the action's message shows in the window, not at the top of
the long page - at 1366 px and at 390 px wide, with screenshots."""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import UserFactory
from tests.helpdesk.data import prepaid_setup
from timesheets import services as timesheets
from timesheets.models import TimesheetLine

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1366, 390])
def test_logging_past_the_prepaid_hours_warns_and_keeps_the_line(page, login, shot, width):
    agent = UserFactory(username=f"e2e-warn-{width}", first_name="Dana", last_name="Agent", roles=["agent"])
    data = prepaid_setup(agent=agent, hours="4.00", customer_name=f"Hooli {width}")
    timesheets.timesheet_log(
        employee=agent,
        user=agent,
        date=timezone.localdate(),
        hours=Decimal("3.00"),
        ticket=data.ticket,
        description="First look",
    )
    page.set_viewport_size({"width": width, "height": 844 if width < 800 else 900})
    login(page, agent)
    page.goto(f"/helpdesk/tickets/{data.ticket.pk}/")
    expect(page.get_by_test_id("past-sold")).to_have_count(0)

    page.fill("#id_new-description", "Restored the mail server")
    page.fill("#id_new-hours", "2")
    page.get_by_role("button", name="Add line").click()

    warning = page.get_by_test_id("past-sold")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(
        f"{data.order.name} – Prepaid support 50 h: 1.00 h logged past the 4.00 h prepaid"
    )
    expect(warning).to_contain_text("the time is kept")
    expect(page.get_by_test_id("remaining-hours")).to_have_text("-1.00 h")
    expect(page.get_by_role("cell", name="Restored the mail server")).to_be_visible()
    assert TimesheetLine.objects.filter(ticket=data.ticket).count() == 2  # kept, not refused
    # The action's message is in view where the action happened (pinned while the page scrolls).
    message = page.locator(".msg-success")
    expect(message).to_contain_text("2.00 h logged on")
    box = message.bounding_box()
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"]
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    warning.scroll_into_view_if_needed()
    shot(page, f"ticket-past-prepaid-warning-{width}", full_page=False)
    shot(page, f"ticket-past-prepaid-warning-{width}-full")
