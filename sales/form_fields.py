"""The customer field of the browser forms and list filters: a search field, not a <select>.

Thousands of customers do not fit a <select> (page weight, render time, and no one scrolls
2 000 names): `CustomerChoiceField` renders `core.widgets.SearchSelect`, fed by
`sales:customer_search`, posts the customer's id and validates it against the customers the
form may offer (an unknown id is a field error).
"""

import django_filters
from django import forms
from django.urls import reverse_lazy

from core.widgets import SearchSelect

from .models import Customer
from .selectors import CUSTOMER_SEARCH_LIMIT

INVALID_CUSTOMER = "Pick a customer from the list (type part of the name, e-mail or VAT number)."


class CustomerSearchInput(SearchSelect):
    def __init__(self, attrs=None, *, placeholder="Type a name, e-mail or VAT number"):
        super().__init__(
            attrs,
            search_url=reverse_lazy("sales:customer_search"),
            placeholder=placeholder,
            no_match="No customer matches. Try part of the name, e-mail or VAT number.",
            limit=CUSTOMER_SEARCH_LIMIT,
        )


class CustomerChoiceField(forms.ModelChoiceField):
    widget = CustomerSearchInput

    def __init__(self, queryset=None, *, placeholder=None, **kwargs):
        kwargs.setdefault("error_messages", {}).setdefault("invalid_choice", INVALID_CUSTOMER)
        kwargs.pop("empty_label", None)  # no empty option: an empty text is no customer
        if placeholder is not None:
            kwargs["widget"] = CustomerSearchInput(placeholder=placeholder)
        super().__init__(queryset=Customer.objects.all() if queryset is None else queryset, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, Customer):  # an edit form's initial customer: its name is known
            self.widget.remember(value)
        return super().prepare_value(value)

    def limit_to(self, customers) -> None:
        """Offer only `customers` (`core.policy.visible(user, "customer")`): an id outside them
        is the same field error as an unknown one."""
        self.queryset = customers


class CustomerSearchFilter(django_filters.ModelChoiceFilter):
    """`?customer=<id>` of a list page, picked by search; the page shows the customer's name."""

    field_class = CustomerChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Customer.objects.all())
        kwargs.setdefault("label", "Customer")
        kwargs.setdefault("placeholder", "Any customer")
        super().__init__(*args, **kwargs)


def customer_filter_input(value, *, name="customer", placeholder="Any customer", attrs=None) -> str:
    """The search field of a hand-written filter bar (no form): `value` is the id in the URL."""
    field = CustomerChoiceField(required=False, placeholder=placeholder)
    return field.widget.render(name, value, attrs={"id": f"filter-{name}", **(attrs or {})})
