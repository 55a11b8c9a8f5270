"""The one way to write the audit trail. Called by the billing services inside their own
transaction, so an action that rolls back leaves no event. One INSERT per call (`record_many`:
one INSERT for any number of objects).

`changes` maps a field to `[before, after]`; `snapshot` + `diff` build it from two readings of
an object. Values are stored as JSON: Decimals as exact strings ("1.625", never a float), dates
and times ISO 8601, related objects by their name when loaded (else `#id`), so the trail never
costs a query to describe a change.
"""

import datetime
from collections.abc import Iterable
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
    if isinstance(value, dict):
        return {str(key): as_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [as_json(item) for item in value]
    return str(value)


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict:
    """The current values of `fields` on `obj`, JSON-safe. A foreign key is the related object's
    name when it is already loaded, else `#<id>`: never a query."""
    values = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.many_to_one or field.one_to_one:
            if field.is_cached(obj):
                related = getattr(obj, name)
                values[name] = None if related is None else str(related)
            else:
                pk = getattr(obj, field.attname)
                values[name] = None if pk is None else f"#{pk}"
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


def record(
    *, actor, action: str, obj, changes: dict | None = None, parent=None, label=None, **data
) -> AuditEvent:
    """Append one event: `actor` (None or anonymous = the system: beat, Celery, imports) did
    `action` (e.g. "invoice.post") to `obj`; `changes` = {field: [before, after]}; `parent` = the
    page it also shows on; `label` = the object's name when `str(obj)` would cost a query."""
    event = _event(
        actor=actor, action=action, obj=obj, changes=changes, data=data, parent=parent, label=label
    )
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
