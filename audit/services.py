"""The one way to write the audit trail. Called by the billing services inside their own
transaction, so an action that rolls back leaves no event. One INSERT per call (`record_many`:
one INSERT for any number of objects).

`changes` maps a field to `[before, after]`; `snapshot` + `diff` build it from two readings of
an object. Values are stored as JSON: Decimals as exact strings ("1.625", never a float), dates
and times ISO 8601, related rows by their name (read only when a link changed and the row was
not loaded).
"""

import datetime
import threading
from collections.abc import Iterable
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation

from django.db import models

from .models import AuditEvent


def as_json(value):
    """A JSON-safe, exact form of a field value."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.time):  # datetime is a date too
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, _Ref):
        return value.as_text()
    if isinstance(value, dict):
        return {str(key): as_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [as_json(item) for item in value]
    return str(value)


class _Ref:
    """A foreign key in a snapshot: compared by id, stored by the related row's name (taken from
    the loaded object, else read once, only when the link changed)."""

    __slots__ = ("model", "pk", "row")

    def __init__(self, model, pk, row):
        self.model, self.pk, self.row = model, pk, row

    def __eq__(self, other):
        return isinstance(other, _Ref) and (self.model, self.pk) == (other.model, other.pk)

    def __hash__(self):
        return hash((self.model, self.pk))

    def as_text(self) -> str:
        if self.row is None:
            self.row = self.model._default_manager.filter(pk=self.pk).first()
        return str(self.row) if self.row is not None else f"#{self.pk}"


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict:
    """The current values of `fields` on `obj`. A foreign key compares by id and is recorded by
    the related row's name (no query when it is loaded or unchanged)."""
    values = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.many_to_one or field.one_to_one:
            pk = getattr(obj, field.attname)
            if pk is None:
                values[name] = None
            else:
                row = getattr(obj, name) if field.is_cached(obj) else None
                values[name] = _Ref(field.related_model, pk, row)
        else:
            values[name] = as_json(_as_stored(field, getattr(obj, name)))
    return values


def _as_stored(field, value):
    """A Decimal set in memory (12) reads as the column stores it (12.00), so a value compares
    equal before and after a save and the trail shows what the database holds."""
    if isinstance(field, models.DecimalField) and isinstance(value, Decimal) and value.is_finite():
        try:
            return value.quantize(Decimal(1).scaleb(-field.decimal_places))
        except InvalidOperation:
            return value
    return value


def diff(before: dict, after: dict) -> dict:
    """`{field: [before, after]}` for every field whose value differs (either side may lack it)."""
    return {
        name: [before.get(name), after.get(name)]
        for name in dict.fromkeys([*before, *after])
        if before.get(name) != after.get(name)
    }


def _event(*, actor, action: str, obj, changes, data, parent=None, label: str | None = None) -> AuditEvent:
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent(
        actor=user,
        actor_name=user.get_username() if user is not None else "",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        object_repr=(label if label is not None else str(obj))[:200],
        parent_type=parent._meta.label_lower if parent is not None else "",
        parent_id=parent.pk if parent is not None else None,
        changes=as_json(changes or {}),
        data=as_json(data),
    )


_batch = threading.local()


@contextmanager
def batch():
    """Inside the block, `record` collects its events; at the end they are written with one
    INSERT (an action over many rows: the week grid's cells). Use it inside the action's
    transaction; an exception discards what was collected. Nested blocks join the outer one."""
    if getattr(_batch, "events", None) is not None:
        yield
        return
    _batch.events = []
    try:
        yield
        events = _batch.events
    finally:
        _batch.events = None
    if events:
        AuditEvent.objects.bulk_create(events)


def record(
    *, actor, action: str, obj, changes: dict | None = None, parent=None, label=None, **data
) -> AuditEvent:
    """Append one event: `actor` (None or anonymous = the system: beat, Celery, imports) did
    `action` (e.g. "invoice.post") to `obj`; `changes` = {field: [before, after]}; `parent` = the
    page it also shows on; `label` = the object's name when `str(obj)` would cost a query."""
    event = _event(
        actor=actor, action=action, obj=obj, changes=changes, data=data, parent=parent, label=label
    )
    pending = getattr(_batch, "events", None)
    if pending is not None:
        pending.append(event)
    else:
        event.save()
    return event


def record_many(*, actor, action: str, entries: Iterable[dict]) -> list[AuditEvent]:
    """Append one event per entry (`{"obj": ..., "changes": ..., "parent": ..., "label": ...,
    "data": {...}}`) in a single INSERT."""
    events = [
        _event(
            actor=actor,
            action=action,
            obj=entry["obj"],
            changes=entry.get("changes"),
            data=entry.get("data") or {},
            parent=entry.get("parent"),
            label=entry.get("label"),
        )
        for entry in entries
    ]
    return AuditEvent.objects.bulk_create(events)
