"""Browser journey of the time policy: an agent's rounded and submitted week, an approver's
waiting weeks (count in the header), a rejection with its reason."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from sales import services as sales
from tests.factories import CustomerFactory, ProductFactory, ProjectFactory, UserFactory
from timesheets import services as timesheets

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def march():
    with time_machine.travel(datetime.datetime(2026, 3, 13, 9, 0, tzinfo=datetime.UTC), tick=True):
        yield


def test_an_agent_submits_a_week_and_an_approver_rejects_it(march, page, login, shot):
    agent = UserFactory(username="e2e-ada", first_name="Ada", last_name="Lovelace", roles=["agent"])
    approver = UserFactory(username="e2e-approver", roles=["admin"])
    seller = UserFactory(username="e2e-seller", roles=["sales"])
    customer = CustomerFactory(name="Initech", billable_rounding_minutes=15)
    order = sales.order_create(
        customer=customer,
        user=seller,
        lines=[{"product": ProductFactory(timesheet=True), "quantity": Decimal("10")}],
    )
    sales.order_confirm(order=order, user=seller)
    project = ProjectFactory(customer=customer, name="Initech support", requires_approval=True)
    for day, hours in ((9, "1.10"), (11, "2.00")):
        timesheets.timesheet_log(
            employee=agent,
            date=datetime.date(2026, 3, day),
            hours=Decimal(hours),
            user=agent,
            project=project,
            sale_line=order.lines.get(),
            description="Printer queue",
        )

    login(page, agent)
    page.goto("/timesheets/")
    assert "1.25" in page.locator("table.line-table").inner_text()  # 1.10 h billed as 1.25 h
    page.fill("form.submit-week input[name=week]", "2026-03-10")
    page.click("form.submit-week button[type=submit]")
    page.wait_for_selector(".msg-success")
    assert "Submitted" in page.locator("table.line-table").inner_text()
    shot(page, "timesheets-submitted")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "timesheets-submitted-390")

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, approver)
    page.goto("/timesheets/approvals/")
    page.wait_for_selector("[data-testid=approvals-count]")
    assert page.get_by_test_id("approvals-count").inner_text() == "1"
    assert "Ada Lovelace" in page.locator("[data-testid=weeks-waiting]").inner_text()
    shot(page, "timesheets-approvals")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "timesheets-approvals-390")
    page.fill(".reject-form input[name=reason]", "One line per ticket, please")
    page.click(".reject-form button[type=submit]")
    page.wait_for_selector(".msg-success")
    assert "No week is waiting" in page.locator("[data-testid=weeks-waiting]").inner_text()
