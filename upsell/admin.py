from django.contrib import admin

from .models import Activity


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("summary", "kind", "user", "order", "due_date", "done")
    list_filter = ("kind", "done", "due_date")
    search_fields = ("summary", "note", "order__name", "user__username")
    list_select_related = ("user", "order")
    raw_id_fields = ("order", "order_line")
    readonly_fields = ("dedupe_key",)
