"""Follow-up activities for salespeople, created by other rooms (e.g. contracts)."""

from datetime import date

from django.db import transaction

from ..models import Activity, Order, OrderLine


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
