"""Goods used on a task: added to the task's order, delivered and taken from stock when the
task is done (all or nothing)."""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit import services as audit
from core.errors import ConflictError, DomainError
from core.models import User
from core.money import quantize_qty, to_decimal
from core.units import convert_quantity
from sales import services as sales_services
from sales.models import Order, OrderLine, Product

from ..models import StockMove, Task, TaskMaterial
from .task import task_order


def _deliver_material(*, material: TaskMaterial, task: Task, user, quantity: Decimal) -> None:
    """Set the material's order line delivered, then consume `quantity` of stock (locks: order first)."""
    if material.sale_line_id:
        line = OrderLine.objects.select_related("uom", "order").get(pk=material.sale_line_id)
        delivered = convert_quantity(material.quantity, material.product.uom, line.uom)
        sales_services.order_line_set_delivered(line=line, quantity=delivered, user=user)
    allow_negative = getattr(settings, "STOCK_ALLOW_NEGATIVE", False)
    sales_services.product_stock_move(
        product=material.product, quantity=-quantity, allow_negative=allow_negative
    )
    StockMove.objects.create(
        kind=StockMove.Kind.CONSUMPTION,
        date=timezone.localdate(),
        product=material.product,
        quantity=-quantity,
        task=task,
        note=f"Task #{task.pk}: {task.title}"[:200],
        user=user if getattr(user, "is_authenticated", False) else None,
    )
    material.delivered = True
    material.save(update_fields=["delivered"])


@transaction.atomic
def task_material_add(*, task: Task, product: Product, quantity, user: User | None = None) -> TaskMaterial:
    """Add goods used on a task (or more of them). On a task of an order, adds or increases a goods
    line on that order. On a task already done, the stock moves and the delivery happen at once."""
    try:
        quantity = quantize_qty(to_decimal(quantity))
    except (ArithmeticError, TypeError, ValueError) as exc:
        raise DomainError("Enter a quantity.", field="quantity") from exc
    if quantity <= 0:
        raise DomainError("The quantity must be more than zero.", field="quantity")
    if product is None:
        raise DomainError("Choose a product.", field="product")
    if product.type != Product.Type.GOODS:
        raise DomainError("Only goods can be added as materials.", field="product")
    if not product.active:
        raise DomainError("This product is archived.", field="product")
    task = (
        Task.objects.select_for_update(of=("self",))
        .select_related("project__sale_order", "project__sale_line__order", "sale_line__order")
        .get(pk=task.pk)
    )
    if task.stage == Task.Stage.CANCELLED:
        raise ConflictError("This task is cancelled.")
    material = TaskMaterial.objects.select_for_update().filter(task=task, product=product).first()
    order = task_order(task)
    if order is not None and order.state not in (Order.State.SALE, Order.State.DRAFT):
        raise ConflictError(
            f"Order {order.name} is {order.get_state_display().lower()}: no material can be added."
        )
    if material is None:
        material = TaskMaterial(task=task, product=product, quantity=quantity)
        if order is not None:
            material.sale_line = sales_services.order_line_add(
                order=order, product=product, user=user, quantity=quantity
            )
        material.save()
    else:
        material.quantity = material.quantity + quantity
        if order is not None:
            line = (
                OrderLine.objects.filter(pk=material.sale_line_id).first() if material.sale_line_id else None
            )
            if line is None:
                material.sale_line = sales_services.order_line_add(
                    order=order, product=product, user=user, quantity=material.quantity
                )
            else:
                added = convert_quantity(quantity, product.uom, line.uom)
                sales_services.order_line_update(line=line, user=user, quantity=line.quantity + added)
        material.save(update_fields=["quantity", "sale_line"])
    if task.is_done:
        _deliver_material(material=material, task=task, user=user, quantity=quantity)
    audit.record(actor=user, action="task_material_add", obj=task, product=product.pk, quantity=str(quantity))
    return material


@transaction.atomic
def task_mark_done(*, task: Task, user: User | None = None) -> Task:
    """Close the task: delivers its materials (order lines) and records a stock move for each.

    ConflictError if already done; DomainError (nothing written) when stock would go below zero
    and settings.STOCK_ALLOW_NEGATIVE is off.
    """
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.is_done:
        raise ConflictError("This task is already done.")
    if task.stage == Task.Stage.CANCELLED:
        raise ConflictError("A cancelled task cannot be marked as done.")
    # Fixed lock order (product id) so two tasks consuming the same goods cannot deadlock.
    materials = list(
        task.materials.select_related("product__uom").filter(delivered=False).order_by("product_id", "id")
    )
    for material in materials:
        _deliver_material(material=material, task=task, user=user, quantity=material.quantity)
    task.is_done = True
    task.stage = Task.Stage.DONE
    task.done_at = timezone.now()
    task.save(update_fields=["is_done", "stage", "done_at", "updated_at"])
    audit.record(actor=user, action="task_done", obj=task, materials=len(materials))
    return task
