"""Order lines: add, change, remove, set delivered, and the lines of an order written at once
(`order_lines_update`, used by the order page's line form and the API's nested `lines`)."""

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max

from audit import services as audit
from core.errors import ConflictError, DomainError
from core.locks import lock_billing, lock_one
from core.models import User
from core.money import quantize_money, to_decimal

from ..models import Order, OrderLine, Product, Tax, Uom
from .checks import (
    check_discount,
    check_price,
    check_quantity,
    check_uom,
    line_amounts,
    lock_order,
    refresh_instance,
)
from .quantities import CONFIRMED_STATES, order_lines_recompute

LINE_EDITABLE_FIELDS = {"quantity", "price_unit", "discount", "tax", "description", "uom"}
LINE_FIELDS_AFTER_CONFIRMATION = {"quantity", "description"}
# What one line of `order_lines_update` may carry.
LINE_INPUT_FIELDS = {"id", "product", "qty_delivered", *LINE_EDITABLE_FIELDS}
# What the audit trail compares before and after a line edit.
LINE_AUDIT_FIELDS = (
    "description",
    "quantity",
    "uom",
    "price_unit",
    "discount",
    "tax",
    "price_subtotal",
    "price_total",
)


# --- one line ----------------------------------------------------------------------------------


def order_line_add(
    *,
    order: Order,
    product: Product,
    user: User,
    quantity: Decimal = Decimal("1"),
    uom: Uom | None = None,
    price_unit: Decimal | None = None,
    discount: Decimal = Decimal("0"),
    tax: Tax | None | object = ...,
    description: str = "",
) -> OrderLine:
    """Add a line; unit, price, tax default from the product (tax=... means "the product's").

    Allowed on drafts; on confirmed orders too (upsell: more hours sold; materials from tasks).
    The unit must be of the product's unit category (DomainError on field "uom").
    """
    with transaction.atomic():
        line = line_add(
            order=lock_order(order),
            product=product,
            user=user,
            quantity=quantity,
            uom=uom,
            price_unit=price_unit,
            discount=discount,
            tax=tax,
            description=description,
        )
        order_lines_recompute(line_ids=[line.pk])
        line.refresh_from_db()
        return line


def line_add(
    *,
    order: Order,
    product: Product,
    user: User,
    quantity: Decimal = Decimal("1"),
    uom: Uom | None = None,
    price_unit: Decimal | None = None,
    discount: Decimal = Decimal("0"),
    tax: Tax | None | object = ...,
    description: str = "",
) -> OrderLine:
    """Insert a line on `order`, locked by the caller (or created in its transaction); the
    caller recomputes."""
    if product is None:
        raise DomainError("Choose a product.", field="product")
    if order.state not in (Order.State.DRAFT, Order.State.SALE):
        raise ConflictError(
            f"Order {order.name} is {order.get_state_display().lower()}: lines cannot be added.",
            code="order_state",
        )
    quantity = check_quantity(quantity)
    uom = uom or product.uom
    check_uom(product=product, uom=uom)
    if price_unit is None:
        # The product's price is per its own unit: a line sold in Days costs 8 × the hourly price.
        price_unit = quantize_money(to_decimal(product.price) * to_decimal(uom.ratio) / product.uom.ratio)
    tax = product.tax if tax is ... else tax
    line = OrderLine(
        order=order,
        sequence=(order.lines.aggregate(m=Max("sequence"))["m"] or 0) + 10,
        product=product,
        description=(description or product.name)[:500],
        quantity=quantity,
        uom=uom,
        price_unit=check_price(price_unit),
        discount=check_discount(discount),
        tax=tax,
        invoice_policy=(
            Product.InvoicePolicy.DELIVERED
            if product.type == Product.Type.GOODS and product.invoice_policy != Product.InvoicePolicy.MANUAL
            else product.invoice_policy
        ),
    )
    line_amounts(line, tax.rate if tax else None)
    line.save()
    return line


def order_line_update(*, line: OrderLine, user: User, **fields) -> OrderLine:
    """Change quantity/price/discount/tax/description/uom of a line (draft orders; quantity also later)."""
    unknown = set(fields) - LINE_EDITABLE_FIELDS
    if unknown:
        raise DomainError(f"These fields cannot be changed: {', '.join(sorted(unknown))}.", code="fields")
    with transaction.atomic():
        order = lock_order(line.order)
        current = lock_one(OrderLine.objects.select_related("product", "tax", "uom"), line.pk)
        _line_change(order=order, current=current, user=user, fields=fields)
        order_lines_recompute(line_ids=[current.pk])
        current.refresh_from_db()
    refresh_instance(line, current)
    return line


def _line_change(*, order: Order, current: OrderLine, user: User, fields: dict) -> None:
    """Apply `fields` to a line locked with its order, save it and record the edit."""
    if current.is_downpayment:
        raise ConflictError("Down-payment lines are managed by invoicing.", code="downpayment")
    if order.state == Order.State.SALE:
        refused = {k for k in fields if k not in LINE_FIELDS_AFTER_CONFIRMATION}
        # Re-sending an unchanged value is harmless (forms post every field).
        refused = {k for k in refused if _field_value(current, k) != _field_value_in(fields[k], k)}
        if refused:
            raise ConflictError(
                f"Order {order.name} is confirmed: only the quantity and description can change.",
                field=sorted(refused)[0],
                code="order_state",
            )
    elif order.state != Order.State.DRAFT:
        raise ConflictError(
            f"Order {order.name} is {order.get_state_display().lower()}: its lines cannot change.",
            code="order_state",
        )
    before = audit.snapshot(current, LINE_AUDIT_FIELDS)
    _apply_line_fields(current, fields)
    line_amounts(current, current.tax.rate if current.tax else None)
    current.save()
    audit.record(
        actor=user,
        action="order.line_update",
        obj=current,
        parent=order,
        label=f"{order.name} – {current.description}",
        changes=audit.diff(before, audit.snapshot(current, LINE_AUDIT_FIELDS)),
    )


def _apply_line_fields(current: OrderLine, fields: dict) -> None:
    if "quantity" in fields:
        current.quantity = check_quantity(fields["quantity"])
    if "price_unit" in fields:
        current.price_unit = check_price(fields["price_unit"])
    if "discount" in fields:
        current.discount = check_discount(fields["discount"])
    if "tax" in fields:
        current.tax = fields["tax"]
    if "description" in fields:
        current.description = (fields["description"] or "")[:500]
    if "uom" in fields:
        new_uom = fields["uom"]
        if new_uom is None:
            raise DomainError("Choose a unit.", field="uom")
        if current.product is not None:
            check_uom(product=current.product, uom=new_uom)
        current.uom = new_uom


def _field_value(line: OrderLine, name: str):
    if name in ("tax", "uom"):
        return getattr(line, f"{name}_id")
    return getattr(line, name)


def _field_value_in(value, name: str):
    if name in ("tax", "uom"):
        return getattr(value, "pk", value)
    if name in ("price_unit", "discount"):
        try:
            return to_decimal(value)
        except (TypeError, InvalidOperation, ValueError):
            return value
    return value


def order_line_delete(*, line: OrderLine, user: User) -> None:
    """Delete a line of a draft order."""
    with transaction.atomic():
        order = lock_order(line.order)
        _check_removable(order)
        current = OrderLine.objects.filter(pk=line.pk).select_related("uom", "tax").first()
        if current is None:
            return
        _line_remove(order=order, current=current, user=user)
        order_lines_recompute(line_ids=[], order_ids=[order.pk])


def _check_removable(order: Order) -> None:
    if order.state != Order.State.DRAFT:
        raise ConflictError(
            f"Order {order.name} is {order.get_state_display().lower()}: lines can only be "
            "removed from quotations.",
            code="order_state",
        )


def _line_remove(*, order: Order, current: OrderLine, user: User) -> None:
    """Record, then delete, a line of the locked draft `order`; the caller recomputes."""
    _check_removable(order)
    before = audit.snapshot(current, LINE_AUDIT_FIELDS)
    audit.record(  # before the delete: the event names the line's id
        actor=user,
        action="order.line_delete",
        obj=current,
        parent=order,
        label=f"{order.name} – {before['description']}",
        changes=audit.diff(before, {}),
    )
    current.delete()


def order_line_set_delivered(*, line: OrderLine, quantity: Decimal, user: User | None) -> OrderLine:
    """Set the delivered quantity of a `manual` or goods line (by hand or by task completion)."""
    quantity = check_quantity(quantity)
    with transaction.atomic():
        order = lock_order(line.order)
        current = lock_one(OrderLine.objects.all(), line.pk)
        _line_set_delivered(order=order, current=current, quantity=quantity, user=user)
        order_lines_recompute(line_ids=[current.pk])
        current.refresh_from_db()
    refresh_instance(line, current)
    return line


def _line_set_delivered(*, order: Order, current: OrderLine, quantity: Decimal, user: User | None) -> None:
    if current.is_downpayment or current.invoice_policy not in (
        Product.InvoicePolicy.MANUAL,
        Product.InvoicePolicy.DELIVERED,
    ):
        raise DomainError(
            "The delivered quantity of this line comes from its timesheets; it cannot be set by hand.",
            field="qty_delivered",
            code="delivered_computed",
        )
    if order.state not in CONFIRMED_STATES:
        raise ConflictError(
            f"Order {order.name} is not confirmed: nothing can be delivered yet.", code="order_state"
        )
    before = audit.snapshot(current, ("qty_delivered",))
    OrderLine.objects.filter(pk=current.pk).update(qty_delivered=quantity)
    current.qty_delivered = quantity
    audit.record(
        actor=user,
        action="order.line_delivered",
        obj=current,
        parent=order,
        label=f"{order.name} – {current.description}",
        changes=audit.diff(before, audit.snapshot(current, ("qty_delivered",))),
    )


# --- the lines of an order at once -----------------------------------------------------------


def order_lines_update(*, order: Order, user: User, lines: list[dict], remove_missing: bool = True) -> Order:
    """Write the lines of an order: the API's nested `lines` (the complete list), or with
    `remove_missing=False` the lines given only (the order page's line form).

    Each dict names an existing line (`id`: its changed fields are applied, `qty_delivered` set
    on a manual or goods line) or adds one (no `id`; `product` required). With `remove_missing`,
    lines left out are removed (down payments stay: invoicing manages them). One transaction:
    the order, then its lines, locked first; one recompute at the end. A refusal names the
    line's field (`lines[2].quantity`) and nothing is written.
    """
    with transaction.atomic():
        locks = lock_billing(
            orders=Order.objects.filter(pk=order.pk),
            order_lines=OrderLine.objects.filter(order_id=order.pk).select_related(
                "product__uom__category", "tax", "uom"
            ),
        )
        if not locks.orders:
            raise Order.DoesNotExist(f"Order {order.pk} does not exist.")
        locked = locks.orders[0]
        existing = {line.pk: line for line in locks.order_lines}
        kept: set[int] = set()
        for index, values in enumerate(lines):
            with _errors_of_line(index):
                kept.add(_line_write(order=locked, existing=existing, kept=kept, values=values, user=user))
        if remove_missing:
            for line in existing.values():
                if line.pk not in kept and not line.is_downpayment:
                    _line_remove(order=locked, current=line, user=user)
        order_lines_recompute(line_ids=[], order_ids=[locked.pk])
        locked.refresh_from_db()
    refresh_instance(order, locked)
    return order


@contextmanager
def _errors_of_line(index: int) -> Iterator[None]:
    """A refusal of line `index` names it: field `lines[<index>].<field>`."""
    try:
        yield
    except DomainError as error:
        error.field = f"lines[{index}].{error.field}" if error.field else f"lines[{index}]"
        raise


def _line_write(*, order: Order, existing: dict, kept: set, values: dict, user: User) -> int:
    """Add or change one line of `lines` (see `order_lines_update`); returns its id."""
    values = dict(values)
    unknown = set(values) - LINE_INPUT_FIELDS
    if unknown:
        raise DomainError(f"These fields cannot be written: {', '.join(sorted(unknown))}.", code="fields")
    line_id = values.pop("id", None)
    delivered = values.pop("qty_delivered", None)
    if line_id is None:
        line = line_add(order=order, user=user, **{"product": None, **values})
    else:
        line = existing.get(line_id)
        if line is None or line_id in kept:
            raise DomainError("No such line on this order (or given twice).", field="id")
        if values.pop("product", line.product) != line.product:
            raise DomainError(
                "The product of a line cannot change; remove the line and add another.", field="product"
            )
        # A client that read the order sends the fixed fields back unchanged: only changes count.
        changes = {name: value for name, value in values.items() if getattr(line, name) != value}
        if changes:
            _line_change(order=order, current=line, user=user, fields=changes)
    if delivered is not None and delivered != line.qty_delivered:
        _line_set_delivered(order=order, current=line, quantity=check_quantity(delivered), user=user)
    return line.pk
