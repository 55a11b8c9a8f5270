"""Row locks of billing actions: one module, one order (STYLE "Locks", like Saleor's lock_objects).

Every billing action (orders, invoices, payments, credit notes, the recompute of derived
quantities, timesheet edits that move billed figures) takes its row locks here, in the house order

    orders → order lines → invoices → timesheet lines

ids sorted within each level, `FOR NO KEY UPDATE` (rows referencing a locked row may still be
inserted). A service asks for every level it needs in one `lock_billing` call, or in calls of
non-decreasing level; it never takes an earlier level after a later one. Re-locking a row the
transaction already holds does not wait, so the recompute run at the end of an action (which
locks its orders and lines again) is safe. Two actions on one draft invoice (edit its lines,
cancel it) therefore queue on the order instead of deadlocking.

`core` imports no app: callers pass querysets of their own models.
"""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import QuerySet

# The house order; `lock_billing` takes the levels in exactly this order.
LOCK_ORDER = ("orders", "order_lines", "invoices", "timesheet_lines")


@dataclass
class BillingLocks:
    """The rows locked, per level, in lock (id) order."""

    orders: list = field(default_factory=list)
    order_lines: list = field(default_factory=list)
    invoices: list = field(default_factory=list)
    timesheet_lines: list = field(default_factory=list)


def lock_rows(queryset: QuerySet) -> list:
    """Lock the rows of `queryset` (its own table only), ids sorted; returns them."""
    if not connection.in_atomic_block:
        raise RuntimeError("Row locks are taken inside the action's transaction (transaction.atomic).")
    return list(_locking(queryset))


def _locking(queryset: QuerySet) -> QuerySet:
    return queryset.select_for_update(no_key=True, of=("self",)).order_by("pk")


def lock_one(queryset: QuerySet, pk):
    """Lock one row (a one-level `lock_billing`); DoesNotExist when it is gone."""
    rows = lock_rows(queryset.filter(pk=pk))
    if not rows:
        raise queryset.model.DoesNotExist(f"{queryset.model.__name__} {pk} does not exist.")
    return rows[0]


def lock_billing(
    *,
    orders: QuerySet | None = None,
    order_lines: QuerySet | None = None,
    invoices: QuerySet | None = None,
    timesheet_lines: QuerySet | None = None,
) -> BillingLocks:
    """Lock the given rows in the house order (LOCK_ORDER), each level by sorted ids."""
    given = {
        "orders": orders,
        "order_lines": order_lines,
        "invoices": invoices,
        "timesheet_lines": timesheet_lines,
    }
    locks = BillingLocks()
    for level in LOCK_ORDER:
        if given[level] is not None:
            setattr(locks, level, lock_rows(given[level]))
    return locks


def lock_statement(queryset: QuerySet) -> tuple[str, tuple]:
    """The SQL and parameters `lock_rows(queryset)` runs (same mode, same id order): for a caller
    that compiles its statements once and sends them with others in one round trip."""
    return _locking(queryset).query.get_compiler(connection=connection).as_sql()
