"""Customer and order filters: one FilterSet each for the browser list and the API list."""

import django_filters
from django.db.models import Q

from core.filters import BooleanFilter, FlagFilter, IdFilter
from core.listing import SortKeys

from .form_fields import CustomerSearchFilter
from .forms import salespeople
from .models import Customer, Order, Product, Uom


class CustomerFilter(django_filters.FilterSet):
    """API.md: `?search=` (name, e-mail or VAT); the page's search box is `?q=` (and the city)."""

    search = django_filters.CharFilter(
        method="by_search", help_text="Part of the name, e-mail or VAT number."
    )
    q = django_filters.CharFilter(method="by_q", label="Search", help_text="Name, e-mail, VAT or city.")

    class Meta:
        model = Customer
        fields = []

    def by_search(self, queryset, name, value):
        term = value.strip()
        return queryset.filter(_customer_q(term)) if term else queryset

    def by_q(self, queryset, name, value):
        term = value.strip()
        return queryset.filter(_customer_q(term) | Q(city__icontains=term)) if term else queryset


def _customer_q(term: str) -> Q:
    return Q(name__icontains=term) | Q(email__icontains=term) | Q(vat__icontains=term)


class CustomerListFilter(CustomerFilter):
    """The page shows one search box."""

    search = None


class OrderFilter(django_filters.FilterSet):
    """API.md: `?state=&invoice_status=&customer=&is_upsell=` (+ q, salesperson)."""

    q = django_filters.CharFilter(method="by_q", label="Search", help_text="Number, customer or reference.")
    state = django_filters.ChoiceFilter(choices=Order.State.choices, empty_label="Any state")
    invoice_status = django_filters.ChoiceFilter(
        choices=Order.InvoiceStatus.choices, empty_label="Any", label="Invoice status"
    )
    customer = IdFilter(field_name="customer_id", label="Customer")
    salesperson = IdFilter(field_name="salesperson_id", label="Salesperson")
    is_upsell = BooleanFilter(field_name="is_upsell", help_text="true: upsell opportunities only.")

    class Meta:
        model = Order
        fields = []

    def by_q(self, queryset, name, value):
        term = value.strip()
        if not term:
            return queryset
        return queryset.filter(
            Q(name__icontains=term) | Q(customer__name__icontains=term) | Q(client_reference__icontains=term)
        )


class OrderListFilter(OrderFilter):
    """The page's form: the customer picked by search, the salesperson a select, upsell a checkbox."""

    customer = CustomerSearchFilter()
    salesperson = django_filters.ModelChoiceFilter(
        queryset=lambda request: salespeople(), empty_label="Anyone"
    )
    upsell = FlagFilter(field_name="is_upsell", label="Upsell opportunities")
    is_upsell = None


CUSTOMER_SORTS = SortKeys(
    keys={
        "name": ("name",),
        "email": ("email",),
        "vat": ("vat",),
        "city": ("city",),
        "orders": ("order_count",),
        "payment_term": ("payment_term_days",),
    },
    default="name",
)

ORDER_SORTS = SortKeys(
    keys={
        "name": ("name",),
        "date": ("order_date",),
        "customer": ("customer__name",),
        "salesperson": ("salesperson__first_name", "salesperson__username"),
        "state": ("state",),
        "invoice_status": ("invoice_status",),
        "untaxed": ("amount_untaxed",),
        "total": ("amount_total",),
    },
    default="-date",
)


class UomFilter(django_filters.FilterSet):
    """API.md: `?name=` (part of the name, any case)."""

    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Uom
        fields = []


class ProductFilter(django_filters.FilterSet):
    """API.md: `?name=` (part of the name, any case)."""

    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Product
        fields = []
