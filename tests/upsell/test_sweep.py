import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from sales.models import Order, OrderLine
from tests.factories import (
    PrepaidLineFactory,
    ProductFactory,
    ProjectFactory,
    SaleOrderFactory,
    TimesheetLineFactory,
    UserFactory,
    uom,
)
from upsell.models import Activity
from upsell.sweep import upsell_sweep

pytestmark = pytest.mark.django_db


class _Timesheets:
    """TimesheetLineFactory with one employee and project (hashing a password per line is slow)."""

    def __init__(self):
        self.defaults = {"employee": UserFactory(roles=["agent"]), "project": ProjectFactory()}

    def __call__(self, **kwargs):
        return TimesheetLineFactory(**{**self.defaults, **kwargs})

    def create_batch(self, n, **kwargs):
        return TimesheetLineFactory.create_batch(n, **{**self.defaults, **kwargs})


def _flagged(order) -> Order:
    order.refresh_from_db()
    return order


def test_threshold_80_percent_flags_at_40_of_50_hours():
    line = PrepaidLineFactory(
        product=ProductFactory(upsell_threshold=Decimal("80")), qty_delivered=Decimal("40")
    )

    result = upsell_sweep()

    order = _flagged(line.order)
    line.refresh_from_db()
    assert result.flagged == 1
    assert order.is_upsell is True
    assert order.upsell_reason == "consumed"
    assert order.upsell_flagged_at is not None
    assert line.upsell_flagged_at is not None


def test_threshold_80_percent_does_not_flag_at_39_75_of_50_hours():
    line = PrepaidLineFactory(
        product=ProductFactory(upsell_threshold=Decimal("80")), qty_delivered=Decimal("39.75")
    )

    result = upsell_sweep()

    assert result.flagged == 0
    assert _flagged(line.order).is_upsell is False
    assert Activity.objects.count() == 0


def test_without_threshold_flags_only_when_delivered_reaches_ordered():
    below = PrepaidLineFactory(qty_delivered=Decimal("49.99"))
    reached = PrepaidLineFactory(qty_delivered=Decimal("50"))
    over = PrepaidLineFactory(qty_delivered=Decimal("61.5"))

    upsell_sweep()

    assert _flagged(below.order).is_upsell is False
    assert _flagged(reached.order).is_upsell is True
    assert _flagged(over.order).upsell_reason == "consumed"


def test_other_policies_and_unconfirmed_orders_are_never_flagged():
    draft = PrepaidLineFactory(order__state=Order.State.DRAFT, qty_delivered=Decimal("60"))
    postpaid = PrepaidLineFactory(product=ProductFactory(timesheet=True), qty_delivered=Decimal("60"))
    cancelled = PrepaidLineFactory(order__state=Order.State.CANCEL, qty_delivered=Decimal("60"))

    assert upsell_sweep().total == 0
    for line in (draft, postpaid, cancelled):
        assert _flagged(line.order).is_upsell is False


def test_locked_orders_are_never_flagged_and_locking_clears_the_flag():
    locked = PrepaidLineFactory(order__state=Order.State.DONE, qty_delivered=Decimal("50"))
    later_locked = PrepaidLineFactory(qty_delivered=Decimal("50"))
    upsell_sweep()
    assert _flagged(locked.order).is_upsell is False
    assert _flagged(later_locked.order).is_upsell is True

    Order.objects.filter(pk=later_locked.order_id).update(state=Order.State.DONE)
    result = upsell_sweep()

    order = _flagged(later_locked.order)
    later_locked.refresh_from_db()
    assert result.cleared == 1
    assert (order.is_upsell, order.upsell_reason, order.upsell_flagged_at) == (False, "", None)
    assert later_locked.upsell_flagged_at is None


def test_a_new_prepaid_line_for_the_product_unflags_the_order():
    line = PrepaidLineFactory(qty_delivered=Decimal("50"))
    upsell_sweep()
    assert _flagged(line.order).is_upsell is True

    # Sold more: 50 + 20 h, 50 delivered → 71 %, no threshold → no longer an opportunity.
    PrepaidLineFactory(order=line.order, product=line.product, quantity=Decimal("20"))
    result = upsell_sweep()

    line.refresh_from_db()
    assert result.cleared == 1
    assert _flagged(line.order).is_upsell is False
    assert line.upsell_flagged_at is None


def test_raising_the_quantity_unflags_and_a_later_consumption_raises_a_new_activity():
    line = PrepaidLineFactory(qty_delivered=Decimal("50"))
    upsell_sweep()
    line.quantity = Decimal("80")
    line.save()
    upsell_sweep()
    assert _flagged(line.order).is_upsell is False

    line.qty_delivered = Decimal("80")
    line.save()
    upsell_sweep()

    assert _flagged(line.order).is_upsell is True
    keys = sorted(Activity.objects.values_list("dedupe_key", flat=True))
    assert keys == [f"upsell:{line.pk}:50", f"upsell:{line.pk}:80"]


def test_lines_of_a_product_are_judged_together():
    product = ProductFactory(upsell_threshold=Decimal("80"))
    first = PrepaidLineFactory(product=product, quantity=Decimal("50"), qty_delivered=Decimal("50"))
    second = PrepaidLineFactory(order=first.order, product=product, quantity=Decimal("50"))

    upsell_sweep()  # 50 of 100 h: 50 %

    assert _flagged(first.order).is_upsell is False
    second.qty_delivered = Decimal("30")
    second.save()
    upsell_sweep()  # 80 of 100 h: 80 %
    first.refresh_from_db()
    second.refresh_from_db()
    assert _flagged(first.order).is_upsell is True
    assert first.upsell_flagged_at is not None and second.upsell_flagged_at is not None
    assert Activity.objects.get().summary.endswith("used 80 of 100 h")


def test_lines_in_days_are_compared_in_hours():
    # 2 days sold (16 h) + 8 h sold in hours; 3 days delivered (24 h) → used up.
    product = ProductFactory()
    days = PrepaidLineFactory(
        product=product, uom=uom("Days"), quantity=Decimal("2"), qty_delivered=Decimal("3")
    )
    PrepaidLineFactory(order=days.order, product=product, quantity=Decimal("8"))

    upsell_sweep()

    assert _flagged(days.order).is_upsell is True
    assert "used 24 of 24 h" in Activity.objects.get().summary


def test_flagging_creates_one_activity_for_the_salesperson_and_an_email(django_capture_on_commit_callbacks):
    seller = UserFactory(username="seller", email="seller@example.com", roles=["sales"])
    line = PrepaidLineFactory(
        order__salesperson=seller,
        order__customer__name="Acme",
        qty_delivered=Decimal("42"),
        product=ProductFactory(upsell_threshold=Decimal("80")),
    )

    with django_capture_on_commit_callbacks(execute=True):
        result = upsell_sweep()

    activity = Activity.objects.get()
    assert result.activities == 1
    assert activity.kind == Activity.Kind.UPSELL
    assert activity.user == seller
    assert activity.order_id == line.order_id and activity.order_line_id == line.pk
    assert activity.summary == f"Upsell: {line.order.name} – Acme used 42 of 50 h"
    assert activity.due_date == timezone.localdate() + datetime.timedelta(days=2)
    assert activity.done is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["seller@example.com"]
    assert line.order.name in mail.outbox[0].body


def test_running_the_sweep_twice_creates_nothing_twice(django_capture_on_commit_callbacks):
    PrepaidLineFactory(qty_delivered=Decimal("50"))
    PrepaidLineFactory(qty_delivered=Decimal("45"), product=ProductFactory(upsell_threshold=Decimal("90")))
    with django_capture_on_commit_callbacks(execute=True):
        first = upsell_sweep()
    first_flag_times = dict(Order.objects.values_list("id", "upsell_flagged_at"))
    with django_capture_on_commit_callbacks(execute=True):
        second = upsell_sweep()

    assert (first.flagged, first.activities) == (2, 2)
    assert (second.flagged, second.activities, second.total) == (0, 0, 2)
    assert Activity.objects.count() == 2
    assert len(mail.outbox) == 2
    assert dict(Order.objects.values_list("id", "upsell_flagged_at")) == first_flag_times


def test_sweep_restricted_to_some_orders_leaves_the_others_alone():
    one = PrepaidLineFactory(qty_delivered=Decimal("50"))
    other = PrepaidLineFactory(qty_delivered=Decimal("50"))

    upsell_sweep(order_ids=[one.order_id])

    assert _flagged(one.order).is_upsell is True
    assert _flagged(other.order).is_upsell is False


def test_forecast_flags_a_line_running_out_within_the_forecast_days(settings):
    settings.UPSELL_FORECAST_DAYS = 14
    TimesheetLineFactory = _Timesheets()
    today = timezone.localdate()
    # Delivered follows the timesheets (signals). 30 h in the last 30 days → 1 h/day;
    # 40 of 50 h delivered, 10 h left → runs out in 10 days.
    long_ago = today - datetime.timedelta(days=30)
    soon = PrepaidLineFactory()
    TimesheetLineFactory.create_batch(
        3, sale_line=soon, hours=Decimal("10"), date=today - datetime.timedelta(days=3)
    )
    TimesheetLineFactory(sale_line=soon, hours=Decimal("10"), date=long_ago)
    # 15 h in the window → 0.5 h/day; 10 h left → 20 days: not yet.
    later = PrepaidLineFactory()
    TimesheetLineFactory(sale_line=later, hours=Decimal("15"), date=today)
    TimesheetLineFactory.create_batch(25, sale_line=later, hours=Decimal("1"), date=long_ago)
    # Hours outside the window (30 days ago) don't count.
    old = PrepaidLineFactory()
    TimesheetLineFactory.create_batch(2, sale_line=old, hours=Decimal("20"), date=long_ago)
    for line in (soon, later, old):
        line.refresh_from_db()
        assert line.qty_delivered == Decimal("40")

    upsell_sweep()

    assert (_flagged(soon.order).is_upsell, _flagged(soon.order).upsell_reason) == (True, "forecast")
    assert _flagged(later.order).is_upsell is False
    assert _flagged(old.order).is_upsell is False
    assert "will run out soon" in Activity.objects.get().summary


def test_consumed_wins_over_forecast_on_the_same_order():
    TimesheetLineFactory = _Timesheets()
    today = timezone.localdate()
    forecast = PrepaidLineFactory()
    TimesheetLineFactory.create_batch(4, sale_line=forecast, hours=Decimal("10"), date=today)
    PrepaidLineFactory(order=forecast.order, qty_delivered=Decimal("50"))

    upsell_sweep()

    assert _flagged(forecast.order).upsell_reason == "consumed"
    assert Activity.objects.filter(order=forecast.order).count() == 2


@pytest.mark.parametrize("size", [10, 1000])
def test_sweep_runs_a_fixed_number_of_queries(size, django_assert_num_queries):
    """`size` prepaid lines on size/2 orders, half of the orders flagged, a few unflagged later."""
    product = ProductFactory(upsell_threshold=Decimal("80"))
    template = SaleOrderFactory()
    orders = Order.objects.bulk_create(
        [
            Order(
                name=f"SOQ{size}-{i:05d}",
                customer=template.customer,
                salesperson=template.salesperson,
                state=Order.State.SALE,
                order_date=template.order_date,
            )
            for i in range(size // 2)
        ]
    )
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=orders[i // 2],
                product=ProductFactory(upsell_threshold=Decimal("80")) if i < 2 else product,
                quantity=Decimal("50"),
                uom=product.uom,
                invoice_policy="prepaid",
                # Orders with an even index: 40 + 41 h of 100 → 81 %; odd: 20 + 21 h → 41 %.
                qty_delivered=Decimal((20 if (i // 2) % 2 else 40) + i % 2),
            )
            for i in range(size)
        ]
    )
    # Savepoint, lock, temp table (drop, create, analyze, read), orders (clear, flag), lines (clear,
    # flag), existing activities, drop, insert activities, follow-ups of orders no longer confirmed
    # (delete), read them back, release: at any size.
    with django_assert_num_queries(16):
        result = upsell_sweep()
    flagged = (size // 2 + 1) // 2
    assert result.flagged == result.total == flagged
    assert result.activities == flagged + 1  # the first order has two products
    with django_assert_num_queries(14):  # nothing to insert
        result = upsell_sweep()
    assert (result.flagged, result.total, result.activities) == (0, flagged, 0)
    OrderLine.objects.filter(order__in=orders[:4]).update(quantity=Decimal("500"))
    with django_assert_num_queries(14):
        result = upsell_sweep()
    assert result.cleared == 2
