"""Orders: creation, header edits, state transitions (their lines: `order_lines`)."""

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone

from audit import services as audit
from core.errors import ConflictError, DomainError
from core.models import Sequence, User

from .. import signals
from ..models import Customer, Order, OrderLine
from .checks import lock_order, refresh_instance
from .order_lines import line_add
from .quantities import order_lines_recompute

ORDER_SEQUENCE_CODE = "sale.order"
ORDER_SEQUENCE_PREFIX = "SO"
# Which state may move to which: one transition function refuses everything else.
ORDER_TRANSITIONS = {
    Order.State.DRAFT: {Order.State.SALE, Order.State.CANCEL},
    Order.State.SALE: {Order.State.DONE, Order.State.CANCEL},
    Order.State.DONE: set(),
    Order.State.CANCEL: set(),
}
# What the audit trail compares before and after a state change.
TRANSITION_AUDIT_FIELDS = ("state", "confirmed_at", "locked_at")


# --- helpers ---------------------------------------------------------------------------------


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


# --- orders -------------------------------------------------------------------------------


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
            line_add(order=order, user=user, **values)  # a new order: no one else sees it yet
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
        locked = lock_order(order)
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
    refresh_instance(order, locked)
    return order


def order_confirm(*, order: Order, user: User) -> Order:
    """draft → sale. Sends `sales.signals.order_confirmed`. ConflictError if not a draft,
    DomainError on `lines` if the quotation has none."""
    with transaction.atomic():
        locked = lock_order(order)
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
        refresh_instance(order, locked)
        signals.order_confirmed.send(sender=Order, order=order, user=user)
    return order


def order_lock(*, order: Order, user: User) -> Order:
    """sale → done (locked): no more edits, off the upsell list (flags and open follow-ups)."""
    with transaction.atomic():
        locked = lock_order(order)
        _order_transition(order=locked, to=Order.State.DONE, user=user)
        _upsell_flags_clear(order_id=locked.pk)  # SPEC Upsell: locking takes it off the list
        signals.order_locked.send(sender=Order, order=locked, user=user)
        locked.refresh_from_db()
    refresh_instance(order, locked)
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
        locked = lock_order(order)
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
    refresh_instance(order, locked)
    return order
