"""Reading the audit trail: the "History" card of a document's page."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Q

from .models import AuditEvent

HISTORY_LIMIT = 20


@dataclass(frozen=True)
class History:
    events: list[AuditEvent]
    more: bool  # older events exist (the Django admin lists them all)
    object_type: str
    object_id: int

    @property
    def admin_query(self) -> str:
        """The admin list's filter on this object's own events."""
        return urlencode({"object_type": self.object_type, "object_id": self.object_id})


def audit_history(*, obj, limit: int = HISTORY_LIMIT) -> History:
    """The newest `limit` events of `obj` and of the rows shown on its page (its timesheet lines,
    order lines): one query."""
    label = obj._meta.label_lower
    rows = list(
        AuditEvent.objects.filter(
            Q(object_type=label, object_id=obj.pk) | Q(parent_type=label, parent_id=obj.pk)
        ).order_by("-created_at", "-id")[: limit + 1]
    )
    return History(events=rows[:limit], more=len(rows) > limit, object_type=label, object_id=obj.pk)
