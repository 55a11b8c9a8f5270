"""Upsell writes: follow-up activities (also created by other rooms, e.g. contracts), selling
more hours from the list, locking an order off the list."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.errors import DomainError
from sales import services as sales_services
from sales.models import Order, OrderLine, Product

from .models import Activity
from .sweep import SWEEP_KEY_PREFIX, upsell_sweep


def activity_create(
    *,
    user,
    summary: str,
    due_date: date,
    kind: str = Activity.Kind.TODO,
    note: str = "",
    order: Order | None = None,
    order_line: OrderLine | None = None,
    dedupe_key: str | None = None,
) -> Activity:
    """Create a follow-up; with a `dedupe_key`, at most one ever exists for that key (the existing
    one is returned)."""
    values = {
        "user": user,
        "summary": summary[:200],
        "due_date": due_date,
        "kind": kind,
        "note": note,
        "order": order,
        "order_line": order_line,
    }
    with transaction.atomic():
        if dedupe_key is None:
            return Activity.objects.create(**values)
        activity, _ = Activity.objects.get_or_create(dedupe_key=dedupe_key, defaults=values)
        return activity


def upsell_add_hours(*, order: Order, product: Product, quantity: Decimal, user) -> OrderLine:
    """Sell more: a new prepaid line for `product` on the order, then re-sweep that order."""
    if order.state != Order.State.SALE:
        raise DomainError("Only confirmed orders can get more hours.", field="quantity")
    if quantity is None or quantity <= 0:
        raise DomainError("Enter a quantity greater than zero.", field="quantity")
    with transaction.atomic():
        line = sales_services.order_line_add(order=order, product=product, user=user, quantity=quantity)
        upsell_sweep(order_ids=[order.pk])
    return line


def upsell_lock_order(*, order: Order, user) -> Order:
    """Lock the order (no more upsell flagging) and take it off the list."""
    with transaction.atomic():
        order = sales_services.order_lock(order=order, user=user)
        upsell_sweep(order_ids=[order.pk])
    return order


def upsell_order_locked(*, order: Order, **_kwargs) -> None:
    """Receiver of `sales.signals.order_locked` (inside the locking transaction, after the order
    and its lines are unflagged): the sweep's open follow-ups on the order go (other upsell
    activities, e.g. a contract's, stay)."""
    Activity.objects.filter(
        order_id=order.pk, kind=Activity.Kind.UPSELL, done=False, dedupe_key__startswith=SWEEP_KEY_PREFIX
    ).delete()


def activity_mark_done(*, activity: Activity, user, done: bool = True) -> Activity:
    """Mark an activity done (or undone again). Only its owner may."""
    if activity.user_id != user.pk:
        raise DomainError("This activity is not yours.")
    with transaction.atomic():
        Activity.objects.filter(pk=activity.pk).update(
            done=done, done_at=timezone.now() if done else None, updated_at=timezone.now()
        )
        activity.refresh_from_db()
    return activity


def activity_mark_undone(*, activity: Activity, user) -> Activity:
    return activity_mark_done(activity=activity, user=user, done=False)
