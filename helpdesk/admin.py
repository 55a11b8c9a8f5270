"""Django admin of the helpdesk: teams (with the "Track & Bill Time" set-up), stages, tickets."""

from django import forms
from django.contrib import admin

from core.admin import ReadOnlyInline
from core.errors import DomainError

from . import services
from .models import Message, Stage, Team, Ticket


class TeamAdminForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "members", "stages", "portal", "use_timesheets", "project", "use_billing"]
        help_texts = {
            "use_timesheets": "Track the time spent on this team's tickets.",
            "project": "Where the timesheets are recorded. "
            "Left empty, a project named after the team is created.",
            "use_billing": "Bill the time to customers (needs Timesheets). Ensures the "
            "“Service on Timesheets” product exists.",
            "stages": "Left empty, a new team gets the default stages (New, In progress, Solved, Cancelled).",
        }

    def _get_validation_exclusions(self):
        # The model's check constraints (billing needs timesheets, timesheets need a project) are
        # checked in clean() with a field-level message, and the project is created on save.
        exclude = super()._get_validation_exclusions()
        exclude.update({"project", "use_billing"})
        return exclude

    def clean(self):
        data = super().clean()
        try:
            services.team_validate(
                use_timesheets=bool(data.get("use_timesheets")),
                use_billing=bool(data.get("use_billing")),
                members=data.get("members"),
            )
        except DomainError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        if not data.get("use_timesheets"):
            data["project"] = None
        return data


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    form = TeamAdminForm
    list_display = ["name", "portal", "use_timesheets", "use_billing", "project", "member_count"]
    list_filter = ["portal", "use_timesheets", "use_billing"]
    search_fields = ["name"]
    filter_horizontal = ["members", "stages"]
    autocomplete_fields: list[str] = []
    fieldsets = [
        (None, {"fields": ["name", "members", "stages", "portal"]}),
        ("Track & Bill Time", {"fields": ["use_timesheets", "project", "use_billing"]}),
    ]

    class Media:
        js = ["js/helpdesk_team_admin.js"]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).select_related("project").annotate(n_members=Count("members"))

    @admin.display(description="Members", ordering="n_members")
    def member_count(self, obj):
        return obj.n_members

    def save_model(self, request, obj, form, change):
        # The service sets members and stages itself (default stages for a new team).
        services.team_save(
            team=obj,
            user=request.user,
            members=form.cleaned_data.get("members"),
            stages=form.cleaned_data.get("stages"),
        )

    def save_related(self, request, form, formsets, change):
        # Many-to-many already saved by team_save; only inline formsets remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["name", "sequence", "is_closed"]
    list_editable = ["sequence", "is_closed"]
    ordering = ["sequence", "id"]


class MessageInline(ReadOnlyInline):
    """The ticket's conversation (written from the ticket page, the portal or the API)."""

    model = Message
    fields = ["created_at", "author", "internal", "from_customer", "body", "notified_at"]
    parent_view_permission = "helpdesk.view_ticket"


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    inlines = [MessageInline]
    list_display = ["id", "title", "team", "stage", "customer", "assignee", "priority", "closed_at"]
    list_filter = ["team", "stage", "priority"]
    search_fields = ["title", "customer__name"]
    list_select_related = ["team", "stage", "customer", "assignee"]
    raw_id_fields = ["sale_line", "task", "assignee"]
    autocomplete_fields = ["customer"]  # searched by name (CustomerAdmin.search_fields), not an id
    readonly_fields = ["closed_at", "created_at", "updated_at", "waiting_for", "last_message_at"]
