from django.contrib import admin
from django.utils.html import format_html_join

from core.admin import ReadOnlyAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The whole trail, read-only (ReadOnlyAdmin: no add, change or delete, no bulk delete)."""

    list_display = ("created_at", "actor_label", "action", "object_type", "object_id", "object_repr")
    list_filter = ("action", "object_type", "actor_name")
    search_fields = ("action", "object_type", "object_repr", "actor_name")
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "parent_type",
        "parent_id",
        "changes_table",
        "data",
    )
    readonly_fields = fields
    actions = None

    @admin.display(description="actor", ordering="actor_name")
    def actor_label(self, event):
        return event.actor_label

    @admin.display(description="changes (before → after)")
    def changes_table(self, event):
        return format_html_join(
            "\n", "<div><b>{}</b>: {} → {}</div>", ((k, v[0], v[1]) for k, v in event.changes.items())
        )
