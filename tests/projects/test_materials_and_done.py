"""SPEC: materials add (or increase) a goods line on the task's order; marking the task done
delivers them and records the stock movement, all or nothing."""

from decimal import Decimal

import pytest

from core.errors import ConflictError, DomainError
from projects.models import StockMove, Task, TaskMaterial
from projects.services import task_mark_done, task_material_add
from sales.models import Order, OrderLine
from tests.factories import ProductFactory, TaskFactory

pytestmark = pytest.mark.django_db


def test_adding_goods_adds_a_goods_line_on_the_tasks_order(field_task, cable, agent):
    material = task_material_add(task=field_task, product=cable, quantity=Decimal("2"), user=agent)

    line = OrderLine.objects.get(pk=material.sale_line_id)
    assert line.order == field_task.sale_line.order
    assert line.product == cable
    assert line.quantity == Decimal("2.00")
    assert line.price_unit == Decimal("12.50")
    assert line.qty_delivered == Decimal("0.00")
    assert material.quantity == Decimal("2.00")
    assert not material.delivered


def test_adding_the_same_goods_again_increases_the_same_line(field_task, cable, agent):
    first = task_material_add(task=field_task, product=cable, quantity=Decimal("2"), user=agent)
    again = task_material_add(task=field_task, product=cable, quantity="1.5", user=agent)

    assert again.pk == first.pk
    assert TaskMaterial.objects.get().quantity == Decimal("3.50")
    goods_lines = OrderLine.objects.filter(order=field_task.sale_line.order, product=cable)
    assert goods_lines.count() == 1
    assert goods_lines.get().quantity == Decimal("3.50")


@pytest.mark.parametrize(
    ("quantity", "field"),
    [(Decimal("0"), "quantity"), (Decimal("-1"), "quantity"), ("abc", "quantity")],
)
def test_bad_material_quantities_are_field_errors_and_write_nothing(
    field_task, cable, agent, quantity, field
):
    with pytest.raises(DomainError) as err:
        task_material_add(task=field_task, product=cable, quantity=quantity, user=agent)
    assert err.value.field == field
    assert not TaskMaterial.objects.exists()
    assert not OrderLine.objects.filter(product=cable).exists()


def test_a_service_is_not_a_material(field_task, field_product, agent):
    with pytest.raises(DomainError) as err:
        task_material_add(task=field_task, product=field_product, quantity=Decimal("1"), user=agent)
    assert err.value.field == "product"


def test_marking_done_delivers_the_materials_and_moves_the_stock(field_task, cable, agent):
    screws = ProductFactory(name="Screws", goods=True, qty_on_hand=Decimal("100"))
    task_material_add(task=field_task, product=cable, quantity=Decimal("2"), user=agent)
    task_material_add(task=field_task, product=screws, quantity=Decimal("12"), user=agent)

    task = task_mark_done(task=field_task, user=agent)

    assert task.is_done and task.stage == Task.Stage.DONE and task.done_at is not None
    cable.refresh_from_db()
    screws.refresh_from_db()
    assert cable.qty_on_hand == Decimal("8.00")
    assert screws.qty_on_hand == Decimal("88.00")
    moves = {m.product_id: m.quantity for m in StockMove.objects.filter(task=task)}
    assert moves == {cable.pk: Decimal("-2.00"), screws.pk: Decimal("-12.00")}
    for material in TaskMaterial.objects.select_related("sale_line"):
        assert material.delivered
        assert material.sale_line.qty_delivered == material.quantity
        assert material.sale_line.invoice_status == OrderLine.InvoiceStatus.TO_INVOICE
    order = Order.objects.get(pk=field_task.sale_line.order_id)
    assert order.invoice_status == Order.InvoiceStatus.TO_INVOICE


def test_marking_done_twice_is_a_conflict_and_moves_nothing_twice(field_task, cable, agent):
    task_material_add(task=field_task, product=cable, quantity=Decimal("2"), user=agent)
    task_mark_done(task=field_task, user=agent)
    with pytest.raises(ConflictError):
        task_mark_done(task=field_task, user=agent)
    assert StockMove.objects.count() == 1
    cable.refresh_from_db()
    assert cable.qty_on_hand == Decimal("8.00")


def test_not_enough_stock_refuses_the_whole_completion(field_task, cable, agent, settings):
    settings.STOCK_ALLOW_NEGATIVE = False
    plenty = ProductFactory(name="Fuses", goods=True, qty_on_hand=Decimal("100"))
    # `plenty` sorts before `cable` only by id if created first: create the short one last.
    task_material_add(task=field_task, product=plenty, quantity=Decimal("5"), user=agent)
    task_material_add(task=field_task, product=cable, quantity=Decimal("11"), user=agent)

    with pytest.raises(DomainError) as err:
        task_mark_done(task=field_task, user=agent)

    assert "Not enough Cable 5 m in stock" in err.value.message
    field_task.refresh_from_db()
    assert not field_task.is_done
    assert not StockMove.objects.exists()
    plenty.refresh_from_db()
    cable.refresh_from_db()
    assert (plenty.qty_on_hand, cable.qty_on_hand) == (Decimal("100.00"), Decimal("10.00"))
    assert not TaskMaterial.objects.filter(delivered=True).exists()
    assert set(OrderLine.objects.filter(product__type="goods").values_list("qty_delivered", flat=True)) == {
        Decimal("0.00")
    }


def test_stock_may_go_negative_when_the_setting_allows_it(field_task, cable, agent, settings):
    settings.STOCK_ALLOW_NEGATIVE = True
    task_material_add(task=field_task, product=cable, quantity=Decimal("11"), user=agent)
    task_mark_done(task=field_task, user=agent)
    cable.refresh_from_db()
    assert cable.qty_on_hand == Decimal("-1.00")


def test_material_added_after_done_is_delivered_at_once(field_task, cable, agent):
    task_mark_done(task=field_task, user=agent)
    material = task_material_add(task=field_task, product=cable, quantity=Decimal("3"), user=agent)
    material.refresh_from_db()
    assert material.delivered
    assert material.sale_line.qty_delivered == Decimal("3.00")
    cable.refresh_from_db()
    assert cable.qty_on_hand == Decimal("7.00")


def test_a_task_without_an_order_records_materials_without_billing(agent, cable):
    task = TaskFactory()
    material = task_material_add(task=task, product=cable, quantity=Decimal("1"), user=agent)
    assert material.sale_line is None
    task_mark_done(task=task, user=agent)
    cable.refresh_from_db()
    assert cable.qty_on_hand == Decimal("9.00")
    assert StockMove.objects.get().quantity == Decimal("-1.00")


def test_time_logged_after_done_is_billable_on_a_new_invoice(field_task, cable, agent, seller):
    import datetime

    from invoicing.services import invoice_create_from_order
    from timesheets.services import timesheet_log

    today = datetime.date.today()
    timesheet_log(employee=agent, date=today, hours=Decimal("1.5"), task=field_task, user=agent)
    task_material_add(task=field_task, product=cable, quantity=Decimal("2"), user=agent)
    task_mark_done(task=field_task, user=agent)
    order = field_task.sale_line.order
    first = invoice_create_from_order(order=order, user=seller)
    assert {(ln.product_id, ln.quantity) for ln in first.lines.all() if ln.product_id} == {
        (field_task.sale_line.product_id, Decimal("1.50")),
        (cable.pk, Decimal("2.00")),
    }

    timesheet_log(employee=agent, date=today, hours=Decimal("0.75"), task=field_task, user=agent)
    order.refresh_from_db()
    assert order.invoice_status == Order.InvoiceStatus.TO_INVOICE
    second = invoice_create_from_order(order=order, user=seller)
    assert [(ln.product_id, ln.quantity) for ln in second.lines.all() if ln.product_id] == [
        (field_task.sale_line.product_id, Decimal("0.75"))
    ]
