"""The burn-down of prepaid hours counts the billed duration (SPEC Time policy), as delivered
quantities and remaining hours do: its last point is the "Remaining hours" of the line."""

import datetime
from decimal import Decimal

import pytest

from sales import services as sales
from sales.selectors import order_line_remaining_hours
from tests.clock import frozen_on
from tests.factories import CustomerFactory, ProductFactory, ProjectFactory
from timesheets import services as timesheets
from timesheets.burndown import sale_lines_burndown

DAY = datetime.date(2026, 3, 10)
pytestmark = [pytest.mark.django_db, frozen_on(DAY)]
D = Decimal


def test_burndown_uses_the_billed_hours_rounded_to_a_quarter_hour(seller, agent):
    customer = CustomerFactory(billable_rounding_minutes=15)
    order = sales.order_create(
        customer=customer, user=seller, lines=[{"product": ProductFactory(), "quantity": D("10")}]
    )
    sales.order_confirm(order=order, user=seller)
    line = order.lines.select_related("order", "product", "uom", "uom__category").get()
    project = ProjectFactory(customer=customer)
    for day, hours in ((DAY - datetime.timedelta(days=100), "1.10"), (DAY, "1.10")):
        logged = timesheets.timesheet_log(
            employee=agent, date=day, hours=D(hours), user=agent, project=project, sale_line=line
        )
        assert (logged.hours, logged.billed_hours) == (D("1.10"), D("1.25"))

    [burndown] = sale_lines_burndown(lines=[line], today=DAY)

    # 66 minutes billed as 75, twice: once before the 90-day window, once today.
    assert burndown.remaining[0] == D("8.75")
    assert (burndown.used, burndown.left, burndown.remaining[-1]) == (D("2.50"), D("7.50"), D("7.50"))
    assert burndown.left == order_line_remaining_hours(line=line)
    # The pace of the last 30 days is billed hours too: 1.25 h / 30 days.
    assert burndown.pace == D("0.04")
