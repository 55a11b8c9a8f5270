"""The whole flow through the billing services: order → confirm → timesheets → sweep → sell more."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from sales import services
from tests.factories import CustomerFactory, ProductFactory, ProjectFactory, UserFactory
from timesheets.services import timesheet_delete, timesheet_log
from upsell.models import Activity
from upsell.services import upsell_add_hours, upsell_lock_order
from upsell.sweep import upsell_sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    seller = UserFactory(username="flow-seller", roles=["sales"])
    agent = UserFactory(username="flow-agent", roles=["agent"])
    customer = CustomerFactory(name="Acme")
    product = ProductFactory(name="Support 50 h", upsell_threshold=Decimal("80"))
    order = services.order_create(
        customer=customer,
        user=seller,
        salesperson=seller,
        lines=[{"product": product, "quantity": Decimal("50")}],
    )
    services.order_confirm(order=order, user=seller)
    project = ProjectFactory(customer=customer)
    return seller, agent, order, order.lines.get(), project


def _log(agent, project, line, hours, days_ago=0):
    return timesheet_log(
        employee=agent,
        user=agent,
        date=timezone.localdate() - datetime.timedelta(days=days_ago),
        hours=Decimal(hours),
        project=project,
        sale_line=line,
    )


def test_hours_logged_through_timesheets_flag_at_the_threshold_and_selling_more_unflags(setup):
    seller, agent, order, line, project = setup
    # 39.75 h over the last months (beyond the forecast window): below 80 % of 50 h.
    for days_ago in range(40, 44):  # at most 24 h a day
        _log(agent, project, line, "9.75", days_ago=days_ago)
    last = _log(agent, project, line, "0.75", days_ago=40)
    assert upsell_sweep().total == 0

    _log(agent, project, line, "0.25", days_ago=40)  # 40.00 h
    result = upsell_sweep()

    order.refresh_from_db()
    assert result.flagged == 1 and order.upsell_reason == "consumed"
    assert Activity.objects.get().summary == f"Upsell: {order.name} – Acme used 40 of 50 h"

    # A timesheet deleted: back under the threshold, the flag goes.
    timesheet_delete(line=last, user=agent)
    assert upsell_sweep().cleared == 1

    _log(agent, project, line, "5", days_ago=40)  # 44 h: flagged again, no second activity
    upsell_sweep()
    assert Activity.objects.count() == 1

    upsell_add_hours(order=order, product=line.product, quantity=Decimal("20"), user=seller)  # 44 of 70 h
    order.refresh_from_db()
    assert order.is_upsell is False
    assert order.lines.count() == 2


def test_locking_through_the_service_takes_the_order_off_for_good(setup):
    seller, agent, order, line, project = setup
    _log(agent, project, line, "24", days_ago=40)
    _log(agent, project, line, "24", days_ago=41)  # at most 24 h a day
    upsell_sweep()
    order.refresh_from_db()
    assert order.is_upsell is True

    upsell_lock_order(order=order, user=seller)
    upsell_sweep()

    order.refresh_from_db()
    assert (order.state, order.is_upsell, order.upsell_flagged_at) == ("done", False, None)


def test_locking_the_order_clears_every_flag_and_its_open_follow_up(setup, api_as):
    """SPEC Upsell: locking takes the order off the list; the order page and the API lock through
    `order_lock` (not the upsell screen's action), which must clear it all too."""
    seller, agent, order, line, project = setup
    _log(agent, project, line, "20", days_ago=40)
    _log(agent, project, line, "20", days_ago=41)
    upsell_sweep()
    follow_up = Activity.objects.get(order=order, kind="upsell")
    done_before = Activity.objects.create(
        kind="upsell",
        summary="Earlier call",
        user=seller,
        order=order,
        due_date=timezone.localdate(),
        done=True,
    )

    not_the_sweeps = Activity.objects.create(  # e.g. a contract's overage follow-up: it stays
        kind="upsell",
        summary="Offer a bigger block",
        user=seller,
        order=order,
        due_date=timezone.localdate(),
        dedupe_key="contract-overage:1",
    )

    response = api_as(seller).post(f"/api/v1/orders/{order.pk}/lock/")
    assert response.status_code == 200 and response.json()["is_upsell"] is False

    order.refresh_from_db()
    line.refresh_from_db()
    assert (order.is_upsell, order.upsell_reason, order.upsell_flagged_at) == (False, "", None)
    assert line.upsell_flagged_at is None
    assert not Activity.objects.filter(pk=follow_up.pk).exists()
    assert Activity.objects.filter(pk__in=[done_before.pk, not_the_sweeps.pk]).count() == 2
    assert api_as(seller).get("/api/v1/upsells/").json()["count"] == 0
    assert upsell_sweep().total == 0


def test_the_sweep_removes_open_follow_ups_of_orders_locked_since(setup):
    seller, agent, order, line, project = setup
    _log(agent, project, line, "20", days_ago=40)
    _log(agent, project, line, "20", days_ago=41)
    upsell_sweep()
    assert Activity.objects.filter(order=order, done=False).count() == 1
    type(order).objects.filter(pk=order.pk).update(state="done")  # locked behind the services' back

    result = upsell_sweep()

    order.refresh_from_db()
    assert result.cleared == 1 and order.is_upsell is False
    assert not Activity.objects.filter(order=order, kind="upsell", done=False).exists()
