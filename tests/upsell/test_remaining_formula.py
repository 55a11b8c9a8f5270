"""The upsell sweep's raw SQL computes a line's remaining hours with sales' one formula
(`sales.selectors.remaining_hours`, rendered as SQL by `remaining_hours_sql`): on every prepaid
time line it gives what `order_lines_with_remaining_hours` annotates."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from sales import services as sales
from sales.models import OrderLine, Uom
from sales.selectors import order_lines_with_remaining_hours
from tests.clock import frozen_on
from tests.factories import CustomerFactory, ProductFactory, ProjectFactory
from timesheets import services as timesheets
from upsell.groups import LINE_REMAINING_HOURS

DAY = datetime.date(2026, 3, 10)
pytestmark = [pytest.mark.django_db, frozen_on(DAY)]
D = Decimal


def test_the_sweeps_remaining_hours_are_the_one_formulas(seller, agent):
    customer = CustomerFactory(billable_rounding_minutes=15)
    days = Uom.objects.get(name="Days")
    order = sales.order_create(
        customer=customer,
        user=seller,
        lines=[
            {"product": ProductFactory(), "quantity": D("10")},
            {"product": ProductFactory(), "quantity": D("3"), "uom": days},
            {"product": ProductFactory(), "quantity": D("1")},
        ],
    )
    sales.order_confirm(order=order, user=seller)
    project = ProjectFactory(customer=customer)
    lines = list(order.lines.order_by("sequence", "id"))
    for line, hours in zip(lines, ("1.10", "13.00", "2.00"), strict=True):  # the last over-consumed
        timesheets.timesheet_log(
            employee=agent, date=DAY, hours=D(hours), user=agent, project=project, sale_line=line
        )
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT l.id, {LINE_REMAINING_HOURS} FROM {quote(OrderLine._meta.db_table)} l "
            f"JOIN {quote(Uom._meta.db_table)} u ON u.id = l.uom_id WHERE l.order_id = %s",
            [order.pk],
        )
        swept = {pk: D(str(value)).quantize(D("0.0001")) for pk, value in cursor.fetchall()}
    formula = {
        pk: value.quantize(D("0.0001"))
        for pk, value in order_lines_with_remaining_hours(OrderLine.objects.filter(order=order)).values_list(
            "pk", "remaining_hours"
        )
    }
    assert (
        swept == formula == {lines[0].pk: D("8.7500"), lines[1].pk: D("11.0000"), lines[2].pk: D("-1.0000")}
    )
