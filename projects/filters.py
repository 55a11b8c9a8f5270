"""Task filters: one FilterSet for the task list and /api/v1/tasks/."""

import django_filters
from django import forms
from django.db.models import Q

from core.filters import BooleanFilter, FlagFilter, IdFilter
from core.listing import SortKeys

from .models import Task

TASK_STATES = [("open", "Open"), ("done", "Done"), ("all", "All")]


class TaskFilter(django_filters.FilterSet):
    """API.md: `?project=&customer=&is_done=` (+ q, state, mine, assignee)."""

    q = django_filters.CharFilter(method="by_q", label="Search", help_text="Title, customer or project.")
    state = django_filters.ChoiceFilter(
        method="by_state",
        choices=TASK_STATES,
        empty_label=None,
        label="State",
        help_text="open: not done nor cancelled (the page's default); done; all.",
    )
    mine = FlagFilter(method="only_mine", label="My tasks", help_text="Only the caller's tasks.")
    project = IdFilter(field_name="project_id", label="Project", widget=forms.HiddenInput)
    customer = IdFilter(field_name="customer_id", label="Customer", widget=forms.HiddenInput)
    assignee = IdFilter(field_name="assignee_id", label="Assignee", widget=forms.HiddenInput)
    is_done = BooleanFilter(field_name="is_done", widget=forms.HiddenInput)

    class Meta:
        model = Task
        fields = []

    def by_q(self, queryset, name, value):
        term = value.strip()
        if not term:
            return queryset
        return queryset.filter(
            Q(title__icontains=term) | Q(customer__name__icontains=term) | Q(project__name__icontains=term)
        )

    def by_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(is_done=False).exclude(stage=Task.Stage.CANCELLED)
        if value == "done":
            return queryset.filter(is_done=True)
        return queryset

    def only_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        return queryset.filter(assignee=user) if value and user is not None else queryset


# No column chosen: open tasks first, newest first.
TASK_SORTS = SortKeys(
    keys={
        "title": ("title",),
        "project": ("project__name",),
        "customer": ("customer__name",),
        "order": ("sale_line__order__name",),
        "assignee": ("assignee__first_name", "assignee__username"),
        "stage": ("stage",),
        "planned": ("planned_date",),
        "hours": ("total_hours",),
    },
    default="",
)
