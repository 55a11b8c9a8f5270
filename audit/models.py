"""The audit trail: one append-only row per billing action (who, when, which object, what changed).

Rows are only ever inserted (by `audit.services.record`). Saving an existing row or deleting one
is refused here, and PostgreSQL refuses UPDATE/DELETE by a trigger (migration 0003), so not even
raw SQL rewrites history. The one exception is Django setting `actor` to NULL when that user is
deleted (`actor_name` keeps who it was).
"""

from django.conf import settings
from django.db import models


class AppendOnlyError(Exception):
    """An attempt to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events are append-only: they cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Audit events are append-only: they cannot be deleted.")


class AuditEvent(models.Model):
    """Who did what to which billing document, and the fields it changed (before → after)."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    # The actor's username at the time: stays when the user is renamed or deleted; empty = System.
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.BigIntegerField()
    object_repr = models.CharField(max_length=200, blank=True)
    # The page the event shows on when it is not the object's own (a timesheet line's ticket or
    # task, an order line's order); empty for documents with a page of their own.
    parent_type = models.CharField(max_length=60, blank=True)
    parent_id = models.BigIntegerField(null=True, blank=True)
    # {"field": [before, after]}: JSON values, Decimals as exact strings, dates ISO 8601.
    changes = models.JSONField(default=dict, blank=True)
    # Context of the action that is not a field change (the credit note's number, a count, ...).
    data = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["parent_type", "parent_id"], name="audit_parent_idx"),
        ]

    def __str__(self):
        return f"{self.action} {self.object_type}#{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit events are append-only: they cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are append-only: they cannot be deleted.")

    @property
    def actor_label(self) -> str:
        return self.actor_name or "System"
