"""Sales orders: numbering, lines, totals, states, derived quantities."""

import datetime
from decimal import Decimal

import pytest

from audit.models import AuditEvent
from core.errors import ConflictError, DomainError
from sales import selectors
from sales import services as sales
from sales.models import Order, OrderLine
from sales.services import quantities
from sales.signals import order_confirmed
from tests.clock import TODAY, frozen_on
from tests.factories import ProductFactory, TaxFactory, UomFactory, uom

pytestmark = [pytest.mark.django_db, frozen_on(TODAY)]


def test_quotations_get_gapless_numbers(customer, seller):
    first = sales.order_create(customer=customer, user=seller)
    second = sales.order_create(customer=customer, user=seller)
    assert (first.name, second.name) == ("SO00001", "SO00002")
    assert first.state == Order.State.DRAFT
    assert first.salesperson == seller


def test_line_takes_unit_price_and_tax_from_product(customer, seller, vat20):
    product = ProductFactory(price=Decimal("80.00"), tax=vat20)
    order = sales.order_create(customer=customer, user=seller)
    line = sales.order_line_add(order=order, product=product, user=seller, quantity=Decimal("3"))
    assert (line.uom.name, line.price_unit, line.tax) == ("Hours", Decimal("80.00"), vat20)
    assert (line.price_subtotal, line.price_tax, line.price_total) == (
        Decimal("240.00"),
        Decimal("48.00"),
        Decimal("288.00"),
    )
    assert line.description == product.name
    assert line.invoice_policy == "prepaid"


def test_line_sold_in_days_is_priced_per_day(customer, seller, days):
    product = ProductFactory(price=Decimal("100.00"))
    order = sales.order_create(customer=customer, user=seller)
    line = sales.order_line_add(order=order, product=product, user=seller, quantity=Decimal("2"), uom=days)
    assert line.price_unit == Decimal("800.00")
    assert line.price_subtotal == Decimal("1600.00")


def test_line_refuses_unit_of_another_category(customer, seller):
    product = ProductFactory()
    order = sales.order_create(customer=customer, user=seller)
    with pytest.raises(DomainError) as exc:
        sales.order_line_add(order=order, product=product, user=seller, uom=uom("Units"))
    assert exc.value.field == "uom"
    assert not order.lines.exists()


def test_line_refuses_negative_quantity(customer, seller):
    order = sales.order_create(customer=customer, user=seller)
    with pytest.raises(DomainError) as exc:
        sales.order_line_add(order=order, product=ProductFactory(), user=seller, quantity=Decimal("-1"))
    assert exc.value.field == "quantity"


def test_order_totals_are_sums_of_rounded_line_figures(customer, seller):
    tax = TaxFactory(name="VAT 21%", rate=Decimal("21.000"))
    product = ProductFactory(price=Decimal("0.33"), tax=tax)
    order = sales.order_create(
        customer=customer,
        user=seller,
        lines=[{"product": product, "quantity": Decimal("1")} for _ in range(3)],
    )
    order.refresh_from_db()
    # per line: 0.33, tax 0.0693 → 0.07; document: 0.99 + 0.21 (not round(0.99 × 21 %) = 0.21 by luck)
    assert (order.amount_untaxed, order.amount_tax, order.amount_total) == (
        Decimal("0.99"),
        Decimal("0.21"),
        Decimal("1.20"),
    )
    line = order.lines.first()
    sales.order_line_update(line=line, user=seller, quantity=Decimal("2"), discount=Decimal("50"))
    order.refresh_from_db()
    assert line.price_subtotal == Decimal("0.33")
    assert order.amount_untaxed == Decimal("0.99")


def test_confirm_sends_order_confirmed_inside_the_transaction(make_order, prepaid_product, seller):
    received = []

    def receiver(sender, order, user, **kwargs):
        from django.db import connection

        received.append((order.state, user, connection.in_atomic_block))

    order_confirmed.connect(receiver, dispatch_uid="test-billing-confirm")
    try:
        order, _ = make_order(prepaid_product, "50")
    finally:
        order_confirmed.disconnect(dispatch_uid="test-billing-confirm")
    assert received == [("sale", seller, True)]
    assert order.confirmed_at is not None
    assert AuditEvent.objects.filter(action="order.sale", object_id=order.pk).exists()


def test_confirming_twice_is_a_conflict(make_order, prepaid_product, seller):
    order, _ = make_order(prepaid_product, "50")
    with pytest.raises(ConflictError):
        sales.order_confirm(order=order, user=seller)


def test_a_quotation_without_lines_cannot_be_confirmed(seller, customer):
    order = sales.order_create(customer=customer, user=seller, order_date=TODAY, lines=[])
    with pytest.raises(DomainError) as refused:
        sales.order_confirm(order=order, user=seller)
    assert refused.value.field == "lines" and "no lines" in refused.value.message
    order.refresh_from_db()
    assert (order.state, order.confirmed_at) == (Order.State.DRAFT, None)
    assert not AuditEvent.objects.filter(object_id=order.pk, action="order.sale").exists()


def test_prepaid_line_is_to_invoice_once_confirmed(make_order, prepaid_product):
    order, line = make_order(prepaid_product, "50")
    assert line.price_subtotal == Decimal("25000.00")
    assert (line.qty_to_invoice, line.invoice_status) == (Decimal("50.00"), "to_invoice")
    assert order.invoice_status == "to_invoice"
    assert order.amount_total == Decimal("25000.00")


def test_quotation_lines_have_nothing_to_invoice(make_order, prepaid_product):
    order, line = make_order(prepaid_product, "50", confirm=False)
    assert (line.invoice_status, order.invoice_status) == ("no", "no")


def test_postpaid_order_without_timesheets_has_nothing_to_invoice(make_order, timesheet_product):
    order, line = make_order(timesheet_product, "50")
    assert (line.qty_delivered, line.qty_to_invoice, line.invoice_status) == (
        Decimal("0"),
        Decimal("0"),
        "no",
    )
    assert order.invoice_status == "no"


def test_confirmed_order_only_changes_quantity_and_description(make_order, prepaid_product, seller):
    order, line = make_order(prepaid_product, "50")
    with pytest.raises(ConflictError) as exc:
        sales.order_line_update(line=line, user=seller, price_unit=Decimal("1.00"))
    assert exc.value.field == "price_unit"
    sales.order_line_update(line=line, user=seller, quantity=Decimal("60"))
    order.refresh_from_db()
    assert (line.quantity, line.qty_to_invoice, order.amount_untaxed) == (
        Decimal("60.00"),
        Decimal("60.00"),
        Decimal("30000.00"),
    )


def test_lines_are_deleted_from_quotations_only(make_order, prepaid_product, seller):
    order, line = make_order(prepaid_product, "50", confirm=False)
    sales.order_line_delete(line=line, user=seller)
    order.refresh_from_db()
    assert not order.lines.exists()
    assert order.amount_total == Decimal("0")
    confirmed, confirmed_line = make_order(prepaid_product, "5")
    with pytest.raises(ConflictError):
        sales.order_line_delete(line=confirmed_line, user=seller)


def test_manual_line_delivered_is_set_by_hand(make_order, seller):
    product = ProductFactory(manual=True, price=Decimal("10.00"))
    order, line = make_order(product, "4")
    sales.order_line_set_delivered(line=line, quantity=Decimal("3"), user=seller)
    order.refresh_from_db()
    assert (line.qty_delivered, line.qty_to_invoice, line.invoice_status) == (
        Decimal("3.00"),
        Decimal("3.00"),
        "to_invoice",
    )
    assert order.invoice_status == "to_invoice"


def test_goods_line_delivered_is_set_by_task_completion(make_order):
    product = ProductFactory(goods=True)
    _, line = make_order(product, "2")
    assert line.invoice_policy == "delivered"
    sales.order_line_set_delivered(line=line, quantity=Decimal("2"), user=None)
    assert line.qty_to_invoice == Decimal("2.00")


def test_delivered_of_timesheet_lines_cannot_be_set_by_hand(make_order, timesheet_product, seller):
    _, line = make_order(timesheet_product, "5")
    with pytest.raises(DomainError):
        sales.order_line_set_delivered(line=line, quantity=Decimal("3"), user=seller)


def test_lock_and_cancel_follow_the_state_map(make_order, prepaid_product, seller):
    order, _ = make_order(prepaid_product, "5")
    sales.order_lock(order=order, user=seller)
    assert order.state == "done" and order.locked_at
    with pytest.raises(ConflictError):
        sales.order_cancel(order=order, user=seller)
    draft, _ = make_order(prepaid_product, "5", confirm=False)
    with pytest.raises(ConflictError):
        sales.order_lock(order=draft, user=seller)
    sales.order_cancel(order=draft, user=seller)
    assert draft.state == "cancel"


def test_cancelled_order_has_nothing_to_invoice(make_order, prepaid_product, seller):
    order, line = make_order(prepaid_product, "5")
    sales.order_cancel(order=order, user=seller)
    line.refresh_from_db()
    order.refresh_from_db()
    assert (line.invoice_status, order.invoice_status) == ("no", "no")


def test_remaining_hours_of_a_pack_of_50_hours(make_order, customer, project, agent):
    from timesheets.services import timesheet_log

    pack = UomFactory(name="Pack 50 h", ratio=Decimal("50"))
    product = ProductFactory(uom=pack, price=Decimal("2000.00"))
    _, line = make_order(product, "1")
    timesheet_log(employee=agent, user=agent, date=TODAY, hours=Decimal("3"), project=project, sale_line=line)
    line.refresh_from_db()
    assert line.qty_delivered == Decimal("0.06")
    assert selectors.order_line_remaining_hours(line=line) == Decimal("47.00")
    assert line.remaining_hours == Decimal("47.00")


def test_remaining_hours_only_for_prepaid_time_lines(make_order, timesheet_product):
    _, line = make_order(timesheet_product, "10")
    assert selectors.order_line_remaining_hours(line=line) is None
    goods_line = make_order(ProductFactory(goods=True), "1")[1]
    assert selectors.order_line_remaining_hours(line=goods_line) is None


def test_default_sale_line_is_most_recent_prepaid_line_with_hours_left(
    make_order, customer, prepaid_product, timesheet_product, project, agent
):
    from timesheets.services import timesheet_log

    _, older = make_order(prepaid_product, "10")
    _, postpaid = make_order(timesheet_product, "10")
    _, used_up = make_order(prepaid_product, "2")
    timesheet_log(
        employee=agent, user=agent, date=TODAY, hours=Decimal("2"), project=project, sale_line=used_up
    )
    make_order(prepaid_product, "10", confirm=False)
    assert selectors.customer_default_sale_line(customer=customer) == older
    _, newest = make_order(prepaid_product, "5")
    assert selectors.customer_default_sale_line(customer=customer) == newest


def test_customer_sale_lines_carry_remaining_hours(make_order, customer, prepaid_product, timesheet_product):
    _, prepaid_line = make_order(prepaid_product, "10")
    _, postpaid_line = make_order(timesheet_product, "10")
    make_order(ProductFactory(goods=True), "1")
    lines = {line.pk: line.remaining_hours for line in selectors.customer_sale_lines(customer=customer)}
    assert lines == {prepaid_line.pk: Decimal("10.00"), postpaid_line.pk: None}


def test_customer_sale_lines_query_count_does_not_grow(
    make_order, customer, prepaid_product, django_assert_num_queries
):
    make_order(prepaid_product, "10")
    with django_assert_num_queries(1):
        assert [line.remaining_hours for line in selectors.customer_sale_lines(customer=customer)]
    for _ in range(5):
        make_order(prepaid_product, "10")
    with django_assert_num_queries(1):
        assert len([line.remaining_hours for line in selectors.customer_sale_lines(customer=customer)]) == 6


def test_order_lines_recompute_ignores_nothing_given():
    sales.order_lines_recompute(line_ids=[])
    assert OrderLine.objects.count() == 0


def test_a_recompute_from_scratch_gives_the_figures_the_actions_left(
    make_order, seller, agent, project, days, vat20
):
    """The one recompute path, run on figures overwritten, restores them (tests/sales runs it on
    SQLite too)."""
    from invoicing import services as inv
    from timesheets.services import timesheet_log

    prepaid = ProductFactory(price=Decimal("100.00"), tax=vat20)
    postpaid = ProductFactory(timesheet=True)
    manual = ProductFactory(manual=True, price=Decimal("10.00"))
    order, first = make_order(prepaid, "2", uom=days)
    second = sales.order_line_add(order=order, product=postpaid, user=seller, quantity=Decimal("10"))
    third = sales.order_line_add(order=order, product=manual, user=seller, quantity=Decimal("3"))
    for days_ago, (line, hours) in enumerate(((first, "20"), (second, "3.5"), (second, "1.25"))):
        timesheet_log(
            employee=agent,
            user=agent,
            date=TODAY - datetime.timedelta(days=days_ago),  # at most 24 h a day
            hours=Decimal(hours),
            project=project,
            sale_line=line,
        )
    sales.order_line_set_delivered(line=third, quantity=Decimal("1"), user=seller)
    inv.invoice_create_from_order(
        order=order, user=seller, method="down_payment_percent", amount=Decimal("10")
    )
    inv.invoice_post(invoice=inv.invoice_create_from_order(order=order, user=seller), user=seller)
    fields = ("qty_delivered", "qty_invoiced", "qty_to_invoice", "invoice_status")
    expected_lines = list(order.lines.order_by("pk").values_list(*fields))
    expected_order = Order.objects.filter(pk=order.pk).values_list(
        "amount_untaxed", "amount_tax", "amount_total", "invoice_status"
    )[0]

    OrderLine.objects.filter(order=order, invoice_policy__in=["prepaid", "timesheet"]).update(
        qty_delivered=Decimal("99"),
        qty_invoiced=Decimal("99"),
        qty_to_invoice=Decimal("99"),
        invoice_status="no",
    )
    Order.objects.filter(pk=order.pk).update(amount_total=0, invoice_status="no")
    quantities.order_lines_recompute(line_ids=[], order_ids=[order.pk])

    assert list(order.lines.order_by("pk").values_list(*fields)) == expected_lines
    assert (
        Order.objects.filter(pk=order.pk).values_list(
            "amount_untaxed", "amount_tax", "amount_total", "invoice_status"
        )[0]
        == expected_order
    )
    assert expected_lines[0][:2] == (Decimal("2.50"), Decimal("2.00"))
