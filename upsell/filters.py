"""Upsell list filters: one FilterSet for the upsell page and /api/v1/upsells/."""

import django_filters
from django import forms
from django.db.models import Q

from core.filters import FlagFilter, IdFilter
from core.listing import SortKeys
from sales.models import Order


class UpsellFilter(django_filters.FilterSet):
    """The upsell list (page and /api/v1/upsells/): `?q=&salesperson=&mine=&reason=`."""

    q = django_filters.CharFilter(method="by_q", label="Search", help_text="Order number or customer.")
    reason = django_filters.ChoiceFilter(
        field_name="upsell_reason",
        choices=[(value, label) for value, label in Order.UpsellReason.choices if value],
        empty_label="Any reason",
        label="Reason",
    )
    salesperson = IdFilter(field_name="salesperson_id", label="Salesperson", widget=forms.HiddenInput)
    mine = FlagFilter(method="only_mine", label="My orders", help_text="Only the caller's orders.")

    class Meta:
        model = Order
        fields = []

    def by_q(self, queryset, name, value):
        term = value.strip()
        if not term:
            return queryset
        return queryset.filter(Q(name__icontains=term) | Q(customer__name__icontains=term))

    def only_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        return queryset.filter(salesperson=user) if value and user is not None else queryset


# No column chosen: the longest-flagged first.
UPSELL_SORTS = SortKeys(
    keys={
        "flagged": ("upsell_flagged_at",),
        "order": ("name",),
        "customer": ("customer__name",),
        "salesperson": ("salesperson__first_name", "salesperson__username"),
    },
    default="flagged",
)
