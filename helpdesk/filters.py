"""Ticket filters: one FilterSet for the ticket list, the team pipelines and /api/v1/tickets/."""

import django_filters
from django.db.models import Q

from core.filters import FlagFilter, IdFilter
from core.listing import SortKeys

from .models import Ticket


class TicketFilter(django_filters.FilterSet):
    """`?q=&team=&stage=&customer=&assignee=&mine=&unassigned=&open=` (API.md: `?team=&customer=`)."""

    q = django_filters.CharFilter(
        method="search", label="Search", help_text="Title, description, customer or #id."
    )
    team = IdFilter(field_name="team_id", label="Team")
    stage = IdFilter(field_name="stage_id", label="Stage")
    customer = IdFilter(field_name="customer_id", label="Customer")
    assignee = IdFilter(field_name="assignee_id", label="Assignee")
    mine = FlagFilter(method="only_mine", label="Mine", help_text="Only the caller's tickets.")
    unassigned = FlagFilter(field_name="assignee", lookup_expr="isnull", label="Unassigned")
    open = FlagFilter(
        method="only_open", label="Open", help_text="Only tickets in a stage that is not closed."
    )

    class Meta:
        model = Ticket
        fields = ["q", "team", "stage", "customer", "assignee", "mine", "unassigned", "open"]

    def search(self, queryset, name, value):
        term = value.strip()
        if not term:
            return queryset
        cond = Q(title__icontains=term) | Q(description__icontains=term) | Q(customer__name__icontains=term)
        if term.lstrip("#").isdigit():
            cond |= Q(pk=int(term.lstrip("#")))
        return queryset.filter(cond)

    def only_open(self, queryset, name, value):
        return queryset.filter(stage__is_closed=False) if value else queryset

    def only_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        return queryset.filter(assignee=user) if value and user is not None else queryset


# The default order puts open tickets waiting for us first (helpdesk.conversation_selectors).
TICKET_SORTS = SortKeys(
    keys={
        "id": ("id",),
        "title": ("title",),
        "team": ("team__name",),
        "stage": ("stage__sequence", "stage__name"),
        "customer": ("customer__name",),
        "assignee": ("assignee__first_name", "assignee__username"),
        "priority": ("priority",),
    },
    default="",
)
