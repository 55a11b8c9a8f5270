"""Contract filters of /api/v1/contracts/."""

import django_filters

from core.filters import IdFilter

from .models import Contract


class ContractFilter(django_filters.FilterSet):
    """API.md: `?customer=`."""

    customer = IdFilter(field_name="customer_id", label="Customer")

    class Meta:
        model = Contract
        fields = []
