"""Invoice filters: one FilterSet for the invoice list (and its CSV export) and /api/v1/invoices/."""

import django_filters
from django.db.models import Q
from django.utils import timezone

from core.filters import FlagFilter, IdFilter
from core.listing import SortKeys
from sales.form_fields import CustomerSearchFilter

from .list_totals import overdue_q
from .models import Invoice


class InvoiceFilter(django_filters.FilterSet):
    """API.md: `?state=&customer=&order=` (+ q, payment_state, kind, overdue)."""

    q = django_filters.CharFilter(method="by_q", label="Search", help_text="Number, customer or order.")
    state = django_filters.ChoiceFilter(choices=Invoice.State.choices, empty_label="Any state")
    payment_state = django_filters.ChoiceFilter(
        choices=Invoice.PaymentState.choices, empty_label="Any payment", label="Payment"
    )
    customer = IdFilter(field_name="customer_id", label="Customer")
    overdue = FlagFilter(method="by_overdue", label="Overdue only", help_text="Posted, past due, not paid.")
    kind = django_filters.ChoiceFilter(choices=Invoice.Kind.choices)
    order = IdFilter(field_name="order_id", label="Order")

    class Meta:
        model = Invoice
        fields = []

    def by_q(self, queryset, name, value):
        term = value.strip()
        if not term:
            return queryset
        return queryset.filter(
            Q(number__icontains=term) | Q(customer__name__icontains=term) | Q(order__name__icontains=term)
        )

    def by_overdue(self, queryset, name, value):
        return queryset.filter(overdue_q(timezone.localdate())) if value else queryset


class InvoiceListFilter(InvoiceFilter):
    """The page's form: the customer picked by search (thousands of customers)."""

    customer = CustomerSearchFilter()
    overdue = FlagFilter(method="by_overdue", label="Overdue only")
    kind = None
    order = None


# No column chosen: newest first (by id: drafts have no number or date yet).
INVOICE_SORTS = SortKeys(
    keys={
        "number": ("number",),
        "customer": ("customer__name",),
        "order": ("order__name",),
        "date": ("invoice_date",),
        "due_date": ("due_date",),
        "untaxed": ("amount_untaxed",),
        "total": ("amount_total",),
    },
    default="",
)
