"""Orders and their lines: creation, edits, state transitions."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import (
    Max,
)
from django.utils import timezone

from audit import services as audit
from core.errors import ConflictError, DomainError
from core.locks import lock_one
from core.models import Sequence, User
from core.money import HUNDRED, ZERO, line_subtotal, quantize_money, quantize_qty, tax_amount, to_decimal

from .. import signals
from ..models import Customer, Order, OrderLine, Product, Tax, Uom
from .quantities import CONFIRMED_STATES, order_lines_recompute

ORDER_SEQUENCE_CODE = "sale.order"
ORDER_SEQUENCE_PREFIX = "SO"
# Which state may move to which: one transition function refuses everything else.
ORDER_TRANSITIONS = {
    Order.State.DRAFT: {Order.State.SALE, Order.State.CANCEL},
    Order.State.SALE: {Order.State.DONE, Order.State.CANCEL},
    Order.State.DONE: set(),
    Order.State.CANCEL: set(),
}
LINE_EDITABLE_FIELDS = {"quantity", "price_unit", "discount", "tax", "description", "uom"}
LINE_FIELDS_AFTER_CONFIRMATION = {"quantity", "description"}
# What the audit trail compares before and after a state change / a line edit.
TRANSITION_AUDIT_FIELDS = ("state", "confirmed_at", "locked_at")
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


# --- helpers ---------------------------------------------------------------------------------


def _decimal(value, *, field: str) -> Decimal:
    try:
        result = to_decimal(value)
    except (TypeError, InvalidOperation, ValueError):
        raise DomainError(f"Enter a number for {field}.", field=field) from None
    if not result.is_finite():
        raise DomainError(f"Enter a number for {field}.", field=field)
    return result


def _lock_order(order: Order) -> Order:
    """Re-read the order under a row lock (FOR NO KEY UPDATE: inserts of child rows still pass)."""
    return lock_one(Order.objects.all(), order.pk)


def _refresh_instance(instance, fresh) -> None:
    """Copy the stored values of `fresh` onto the caller's instance, so it is current."""
    for f in instance._meta.concrete_fields:
        setattr(instance, f.attname, getattr(fresh, f.attname))


def _order_transition(*, order: Order, to: str, user: User | None, **data) -> Order:
    """The one place an order changes state; refuses a move the map does not allow."""
    if to not in ORDER_TRANSITIONS[order.state]:
        raise ConflictError(
            f"Order {order.name} is {order.get_state_display().lower()}; it cannot become "
            f"{Order.State(to).label.lower()}.",
            code="order_state",
        )
    before = audit.snapshot(order, TRANSITION_AUDIT_FIELDS)
    order.state = to
    now = timezone.now()
    fields = ["state", "updated_at"]
    if to == Order.State.SALE:
        order.confirmed_at = now
        fields.append("confirmed_at")
    elif to == Order.State.DONE:
        order.locked_at = now
        fields.append("locked_at")
    order.save(update_fields=fields)
    changes = audit.diff(before, audit.snapshot(order, TRANSITION_AUDIT_FIELDS))
    audit.record(actor=user, action=f"order.{to}", obj=order, changes=changes, **data)
    return order


def _line_amounts(line: OrderLine, tax_rate) -> None:
    line.price_subtotal = line_subtotal(line.quantity, line.price_unit, line.discount)
    line.price_tax = tax_amount(line.price_subtotal, tax_rate)
    line.price_total = line.price_subtotal + line.price_tax


def _check_uom(*, product: Product, uom: Uom) -> None:
    if uom.category_id != product.uom.category_id:
        raise DomainError(
            f"{product.name} is sold in {product.uom.category.name.lower()} units; "
            f"{uom.name} is not one of them.",
            field="uom",
            code="uom_category",
        )


def _check_quantity(quantity) -> Decimal:
    quantity = _decimal(quantity, field="quantity")
    if quantity < 0:
        raise DomainError("The quantity cannot be negative.", field="quantity")
    if quantity != quantize_qty(quantity):
        raise DomainError("Use at most two decimals for the quantity.", field="quantity")
    return quantity


def _check_discount(discount) -> Decimal:
    discount = _decimal(discount, field="discount")
    if not ZERO <= discount <= HUNDRED:
        raise DomainError("The discount is a percentage between 0 and 100.", field="discount")
    return discount.quantize(Decimal("0.01"))


def _check_price(price_unit) -> Decimal:
    price_unit = _decimal(price_unit, field="price_unit")
    if price_unit < 0:
        raise DomainError("The unit price cannot be negative.", field="price_unit")
    return quantize_money(price_unit)


# --- orders and lines ------------------------------------------------------------------------


def order_create(
    *,
    customer: Customer,
    user: User,
    salesperson: User | None = None,
    order_date: date | None = None,
    lines: Iterable[dict] = (),
    note: str = "",
    client_reference: str = "",
) -> Order:
    """Create a quotation with a gapless number (SO00001) and its lines.

    Each dict of `lines` takes the keyword arguments of `order_line_add` (product, quantity, ...).
    """
    if customer is None:
        raise DomainError("Choose a customer.", field="customer")
    with transaction.atomic():
        name = Sequence.next_value(code=ORDER_SEQUENCE_CODE, prefix=ORDER_SEQUENCE_PREFIX)
        order = Order.objects.create(
            name=name,
            customer=customer,
            salesperson=salesperson if salesperson is not None else user,
            order_date=order_date or timezone.localdate(),
            note=note or "",
            client_reference=client_reference or "",
        )
        for values in lines:
            values = {k: v for k, v in dict(values).items() if k not in ("order", "user")}
            _line_add(order=order, user=user, recompute=False, **values)
        order_lines_recompute(line_ids=[], order_ids=[order.pk])
        order.refresh_from_db()
        audit.record(
            actor=user,
            action="order.create",
            obj=order,
            changes=audit.diff({}, audit.snapshot(order, ("customer", "state", "amount_total"))),
        )
    return order


ORDER_HEADER_FIELDS = ("customer", "salesperson", "order_date", "client_reference", "note")


def order_update(*, order: Order, user: User, **fields) -> Order:
    """Change the header of a quotation (customer, salesperson, date, reference, note).

    Only drafts: a confirmed order's customer and terms are what was agreed (ConflictError).
    """
    unknown = set(fields) - set(ORDER_HEADER_FIELDS)
    if unknown:
        raise DomainError(f"Unknown order field(s): {', '.join(sorted(unknown))}.")
    if "customer" in fields and fields["customer"] is None:
        raise DomainError("Choose a customer.", field="customer")
    with transaction.atomic():
        locked = _lock_order(order)
        changes = {name: value for name, value in fields.items() if getattr(locked, name) != value}
        if not changes:
            return order
        if locked.state != Order.State.DRAFT:
            raise ConflictError(
                f"Order {locked.name} is {locked.get_state_display().lower()}: "
                "only quotations can be changed.",
                code="order_not_draft",
            )
        before = audit.snapshot(locked, changes)
        for name, value in changes.items():
            if name in ("client_reference", "note"):
                value = value or ""
            setattr(locked, name, value)
        locked.save(update_fields=[*changes, "updated_at"])
        audit.record(
            actor=user,
            action="order.update",
            obj=locked,
            changes=audit.diff(before, audit.snapshot(locked, changes)),
        )
    _refresh_instance(order, locked)
    return order


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
        return _line_add(
            order=order,
            product=product,
            user=user,
            quantity=quantity,
            uom=uom,
            price_unit=price_unit,
            discount=discount,
            tax=tax,
            description=description,
        )


def _line_add(
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
    recompute: bool = True,
) -> OrderLine:
    if product is None:
        raise DomainError("Choose a product.", field="product")
    locked = _lock_order(order)
    if locked.state not in (Order.State.DRAFT, Order.State.SALE):
        raise ConflictError(
            f"Order {locked.name} is {locked.get_state_display().lower()}: lines cannot be added.",
            code="order_state",
        )
    quantity = _check_quantity(quantity)
    uom = uom or product.uom
    _check_uom(product=product, uom=uom)
    if price_unit is None:
        # The product's price is per its own unit: a line sold in Days costs 8 × the hourly price.
        price_unit = quantize_money(to_decimal(product.price) * to_decimal(uom.ratio) / product.uom.ratio)
    price_unit = _check_price(price_unit)
    tax = product.tax if tax is ... else tax
    sequence = (locked.lines.aggregate(m=Max("sequence"))["m"] or 0) + 10
    line = OrderLine(
        order=locked,
        sequence=sequence,
        product=product,
        description=(description or product.name)[:500],
        quantity=quantity,
        uom=uom,
        price_unit=price_unit,
        discount=_check_discount(discount),
        tax=tax,
        invoice_policy=(
            Product.InvoicePolicy.DELIVERED
            if product.type == Product.Type.GOODS and product.invoice_policy != Product.InvoicePolicy.MANUAL
            else product.invoice_policy
        ),
    )
    _line_amounts(line, tax.rate if tax else None)
    line.save()
    if recompute:
        order_lines_recompute(line_ids=[line.pk])
        line.refresh_from_db()
    return line


def order_line_update(*, line: OrderLine, user: User, **fields) -> OrderLine:
    """Change quantity/price/discount/tax/description/uom of a line (draft orders; quantity also later)."""
    unknown = set(fields) - LINE_EDITABLE_FIELDS
    if unknown:
        raise DomainError(f"These fields cannot be changed: {', '.join(sorted(unknown))}.", code="fields")
    with transaction.atomic():
        order = _lock_order(line.order)
        current = lock_one(OrderLine.objects.select_related("product", "tax", "uom"), line.pk)
        if current.is_downpayment:
            raise ConflictError("Down-payment lines are managed by invoicing.", code="downpayment")
        if order.state == Order.State.SALE:
            refused = {k for k, v in fields.items() if k not in LINE_FIELDS_AFTER_CONFIRMATION}
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
        if "quantity" in fields:
            current.quantity = _check_quantity(fields["quantity"])
        if "price_unit" in fields:
            current.price_unit = _check_price(fields["price_unit"])
        if "discount" in fields:
            current.discount = _check_discount(fields["discount"])
        if "tax" in fields:
            current.tax = fields["tax"]
        if "description" in fields:
            current.description = (fields["description"] or "")[:500]
        if "uom" in fields:
            new_uom = fields["uom"]
            if new_uom is None:
                raise DomainError("Choose a unit.", field="uom")
            if current.product is not None:
                _check_uom(product=current.product, uom=new_uom)
            current.uom = new_uom
        _line_amounts(current, current.tax.rate if current.tax else None)
        current.save()
        order_lines_recompute(line_ids=[current.pk])
        current.refresh_from_db()
        audit.record(
            actor=user,
            action="order.line_update",
            obj=current,
            parent=order,
            label=f"{order.name} – {current.description}",
            changes=audit.diff(before, audit.snapshot(current, LINE_AUDIT_FIELDS)),
        )
    _refresh_instance(line, current)
    return line


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
        order = _lock_order(line.order)
        if order.state != Order.State.DRAFT:
            raise ConflictError(
                f"Order {order.name} is {order.get_state_display().lower()}: lines can only be "
                "removed from quotations.",
                code="order_state",
            )
        current = OrderLine.objects.filter(pk=line.pk).select_related("uom", "tax").first()
        if current is None:
            return
        before = audit.snapshot(current, LINE_AUDIT_FIELDS)
        current.delete()
        order_lines_recompute(line_ids=[], order_ids=[order.pk])
        audit.record(
            actor=user,
            action="order.line_delete",
            obj=line,
            parent=order,
            label=f"{order.name} – {before['description']}",
            changes=audit.diff(before, {}),
        )


def order_line_set_delivered(*, line: OrderLine, quantity: Decimal, user: User | None) -> OrderLine:
    """Set the delivered quantity of a `manual` or goods line (by hand or by task completion)."""
    quantity = _check_quantity(quantity)
    with transaction.atomic():
        order = _lock_order(line.order)
        current = lock_one(OrderLine.objects.all(), line.pk)
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
        order_lines_recompute(line_ids=[current.pk])
        current.refresh_from_db()
        audit.record(
            actor=user,
            action="order.line_delivered",
            obj=current,
            parent=order,
            label=f"{order.name} – {current.description}",
            changes=audit.diff(before, audit.snapshot(current, ("qty_delivered",))),
        )
    _refresh_instance(line, current)
    return line


def order_confirm(*, order: Order, user: User) -> Order:
    """draft → sale. Sends `sales.signals.order_confirmed`. ConflictError if not a draft,
    DomainError on `lines` if the quotation has none."""
    with transaction.atomic():
        locked = _lock_order(order)
        if locked.state != Order.State.DRAFT:
            raise ConflictError(
                f"Order {locked.name} is {locked.get_state_display().lower()}, not a quotation: "
                "it cannot be confirmed.",
                code="order_state",
            )
        if not locked.lines.exists():
            raise DomainError(
                f"Quotation {locked.name} has no lines: add at least one line before confirming it.",
                field="lines",
                code="no_lines",
            )
        _order_transition(order=locked, to=Order.State.SALE, user=user)
        order_lines_recompute(line_ids=[], order_ids=[locked.pk])
        locked.refresh_from_db()
        _refresh_instance(order, locked)
        signals.order_confirmed.send(sender=Order, order=order, user=user)
    return order


def order_lock(*, order: Order, user: User) -> Order:
    """sale → done (locked): no more edits, off the upsell list (flags and open follow-ups)."""
    with transaction.atomic():
        locked = _lock_order(order)
        _order_transition(order=locked, to=Order.State.DONE, user=user)
        _upsell_flags_clear(order_id=locked.pk)  # SPEC Upsell: locking takes it off the list
        signals.order_locked.send(sender=Order, order=locked, user=user)
        locked.refresh_from_db()
    _refresh_instance(order, locked)
    return order


def _upsell_flags_clear(*, order_id: int) -> None:
    """An order leaving `sale` is no opportunity any more: the order, then its lines (the fixed
    lock order), lose their upsell flags."""
    Order.objects.filter(pk=order_id).update(is_upsell=False, upsell_reason="", upsell_flagged_at=None)
    OrderLine.objects.filter(order_id=order_id, upsell_flagged_at__isnull=False).update(
        upsell_flagged_at=None
    )


def order_cancel(*, order: Order, user: User) -> Order:
    """draft/sale → cancel, refused (ConflictError) when anything is invoiced."""
    with transaction.atomic():
        locked = _lock_order(order)
        if Order.State.CANCEL not in ORDER_TRANSITIONS[locked.state]:
            _order_transition(order=locked, to=Order.State.CANCEL, user=user)  # refuses the move
        order_lines_recompute(line_ids=[], order_ids=[locked.pk])
        if locked.lines.exclude(qty_invoiced=0).exists():
            raise ConflictError(
                f"Order {locked.name} has invoices: cancel the draft invoices or issue credit notes "
                "before cancelling the order.",
                code="order_invoiced",
            )
        _order_transition(order=locked, to=Order.State.CANCEL, user=user)
        order_lines_recompute(line_ids=[], order_ids=[locked.pk])
        locked.refresh_from_db()
    _refresh_instance(order, locked)
    return order
