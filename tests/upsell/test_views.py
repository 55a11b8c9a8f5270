import datetime
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from sales.models import Order, OrderLine
from tests.factories import (
    ActivityFactory,
    PrepaidLineFactory,
    ProductFactory,
    ProjectFactory,
    SaleOrderFactory,
    TimesheetLineFactory,
    UserFactory,
)
from upsell.models import Activity
from upsell.sweep import upsell_sweep

pytestmark = pytest.mark.django_db


def _flagged_orders(n, seller, *, lines_per_order=2):
    orders = []
    for i in range(n):
        order = SaleOrderFactory(salesperson=seller, customer__name=f"Customer {i}")
        for _ in range(lines_per_order):
            PrepaidLineFactory(order=order, qty_delivered=Decimal("50"))
        orders.append(order)
    upsell_sweep()
    return orders


@pytest.mark.parametrize("user_fixture", ["agent", "accountant", "customer_user"])
def test_upsell_list_is_forbidden_to_other_roles(client, request, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    assert client.get(reverse("sales:upsell_list")).status_code == 403
    assert client.post(reverse("sales:upsell_lock", args=[1])).status_code == 403


def test_upsell_list_requires_login(client):
    response = client.get(reverse("sales:upsell_list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_upsell_list_shows_flagged_orders_with_consumption_and_forecast(client, seller):
    today = timezone.localdate()
    order = SaleOrderFactory(salesperson=seller, customer__name="Acme")
    line = PrepaidLineFactory(order=order, product=ProductFactory(upsell_threshold=Decimal("80")))
    employee, project = UserFactory(roles=["agent"]), ProjectFactory()
    # 42 h within the last 30 days → 1.4 h/day; 8 h left → runs out in 6 days.
    TimesheetLineFactory.create_batch(
        6, sale_line=line, hours=Decimal("7"), date=today, employee=employee, project=project
    )
    not_flagged = PrepaidLineFactory(order__customer__name="Quiet Ltd", qty_delivered=Decimal("1"))
    upsell_sweep()
    client.force_login(seller)

    response = client.get(reverse("sales:upsell_list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert order.name in html and "Acme" in html
    assert not_flagged.order.name not in html
    assert "50.00 h" in html and "42.00" in html and "84 %" in html
    assert "8.00 h" in html and "1.40 h/day" in html
    assert "runs out in 6 days" in html
    assert f"Upsell: {order.name} – Acme used 42 of 50 h" in html  # last activity


@pytest.mark.parametrize("n_orders", [2, 20])
def test_upsell_list_runs_a_fixed_number_of_queries(client, seller, n_orders, django_assert_num_queries):
    _flagged_orders(n_orders, seller)
    client.force_login(seller)
    # savepoint, session, user, roles, the count of the pager, orders, their lines, the
    # forecasts, release: any size.
    with django_assert_num_queries(9):
        response = client.get(reverse("sales:upsell_list"))
    assert response.content.decode().count('class="add-hours"') == n_orders


def test_add_hours_adds_a_prepaid_line_and_takes_the_order_off_the_list(client, seller):
    (order,) = _flagged_orders(1, seller, lines_per_order=1)
    line = order.lines.get()
    client.force_login(seller)

    response = client.post(
        reverse("sales:upsell_add_hours", args=[order.pk]),
        {f"o{order.pk}-product": line.product_id, f"o{order.pk}-quantity": "20"},
    )

    assert response.status_code == 302
    new_line = order.lines.exclude(pk=line.pk).get()
    assert (new_line.product_id, new_line.quantity, new_line.invoice_policy) == (
        line.product_id,
        Decimal("20.00"),
        "prepaid",
    )
    order.refresh_from_db()
    assert order.is_upsell is False and order.upsell_flagged_at is None
    assert f'data-order="{order.name}"' not in client.get(reverse("sales:upsell_list")).content.decode()


@pytest.mark.parametrize("quantity", ["0", "-5", "abc", ""])
def test_add_hours_refuses_bad_quantities_next_to_the_field(client, seller, quantity):
    (order,) = _flagged_orders(1, seller, lines_per_order=1)
    line = order.lines.get()
    client.force_login(seller)

    response = client.post(
        reverse("sales:upsell_add_hours", args=[order.pk]),
        {f"o{order.pk}-product": line.product_id, f"o{order.pk}-quantity": quantity},
    )

    assert response.status_code == 400
    assert 'class="field has-error"' in response.content.decode()
    assert order.lines.count() == 1


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("abc", "Enter the hours as a number, e.g. 20 or 12.5."),
        ("", "Enter the hours to add."),
        ("0", "Enter a quantity greater than zero."),
        ("1.255", "Enter the hours with at most two decimals, e.g. 12.25."),
        ("99999999999", "That is more hours than one order line holds."),
    ],
)
def test_the_hours_to_add_are_a_text_field_with_the_servers_own_messages(client, seller, quantity, message):
    """No browser number field (its bubble, its empty value for "12,5"): a text field whose
    every mistake is the server's message next to it, tied to the input for screen readers."""
    (order,) = _flagged_orders(1, seller, lines_per_order=1)
    line = order.lines.get()
    client.force_login(seller)
    field = f"o{order.pk}-quantity"
    html = client.get(reverse("sales:upsell_list")).content.decode()
    assert f'name="{field}"' in html and 'type="number"' not in html
    response = client.post(
        reverse("sales:upsell_add_hours", args=[order.pk]),
        {f"o{order.pk}-product": line.product_id, field: quantity},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert f'<p class="error" id="id_{field}-error">{message}</p>' in html
    assert f'aria-describedby="id_{field}-error"' in html
    assert order.lines.count() == 1


def test_the_hours_to_add_read_a_decimal_comma(client, seller):
    (order,) = _flagged_orders(1, seller, lines_per_order=1)
    line = order.lines.get()
    client.force_login(seller)
    response = client.post(
        reverse("sales:upsell_add_hours", args=[order.pk]),
        {f"o{order.pk}-product": line.product_id, f"o{order.pk}-quantity": "12,5"},
        follow=True,
    )
    assert order.lines.exclude(pk=line.pk).get().quantity == Decimal("12.50")
    assert f"12.50 h added to {order.name}." in response.content.decode()


def test_add_hours_refuses_a_product_not_on_the_order(client, seller):
    (order,) = _flagged_orders(1, seller, lines_per_order=1)
    client.force_login(seller)
    response = client.post(
        reverse("sales:upsell_add_hours", args=[order.pk]),
        {f"o{order.pk}-product": ProductFactory().pk, f"o{order.pk}-quantity": "10"},
    )
    assert response.status_code == 400
    assert order.lines.count() == 1


def test_lock_locks_the_order_and_takes_it_off_the_list(client, seller):
    (order,) = _flagged_orders(1, seller)
    client.force_login(seller)

    response = client.post(reverse("sales:upsell_lock", args=[order.pk]))

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == Order.State.DONE
    assert (order.is_upsell, order.upsell_flagged_at) == (False, None)
    assert not OrderLine.objects.filter(order=order, upsell_flagged_at__isnull=False).exists()
    upsell_sweep()
    order.refresh_from_db()
    assert order.is_upsell is False


def test_activity_list_shows_my_open_activities_only(client, seller):
    mine = ActivityFactory(user=seller, summary="Call Acme about more hours")
    ActivityFactory(user=seller, summary="Already done", done=True)
    ActivityFactory(summary="Someone else's")
    client.force_login(seller)

    html = client.get(reverse("sales:activity_list")).content.decode()

    assert mine.summary in html
    assert "Already done" not in html and "Someone else" not in html
    assert "Already done" in client.get(reverse("sales:activity_list") + "?done=1").content.decode()


def test_mark_done_and_undone_via_htmx(client, seller):
    activity = ActivityFactory(user=seller)
    client.force_login(seller)

    response = client.post(reverse("sales:activity_done", args=[activity.pk]), HTTP_HX_REQUEST="true")

    activity.refresh_from_db()
    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"]) == {"activities-changed": {}}
    assert activity.done is True and activity.done_at is not None
    assert "Undo" in response.content.decode()

    client.post(reverse("sales:activity_undone", args=[activity.pk]), HTTP_HX_REQUEST="true")
    activity.refresh_from_db()
    assert activity.done is False and activity.done_at is None


def test_someone_elses_activity_is_a_404(client, seller):
    other = ActivityFactory()
    client.force_login(seller)
    assert client.post(reverse("sales:activity_done", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.done is False


def test_header_count_of_open_activities_for_sales_users(client, seller, agent):
    ActivityFactory.create_batch(3, user=seller)
    ActivityFactory(user=seller, done=True)
    client.force_login(seller)

    page = client.get(reverse("sales:activity_list")).content.decode()
    count = client.get(reverse("sales:activity_count")).content.decode()

    assert reverse("sales:activity_count") in page  # the widget is in the header
    assert 'data-count="3"' in count
    client.force_login(agent)
    assert reverse("sales:activity_count") not in client.get("/").content.decode()
    assert client.get(reverse("sales:activity_count")).content.decode().strip() == ""


def test_activity_due_date_in_the_past_is_shown_in_red(client, seller):
    ActivityFactory(user=seller, due_date=timezone.localdate() - datetime.timedelta(days=1))
    client.force_login(seller)
    assert 'class="num negative"' in client.get(reverse("sales:activity_list")).content.decode()


def test_activity_flag_flow_through_the_sweep_creates_activity_once(seller):
    PrepaidLineFactory(order__salesperson=seller, qty_delivered=Decimal("50"))
    upsell_sweep()
    upsell_sweep()
    assert Activity.objects.filter(user=seller, kind="upsell").count() == 1
