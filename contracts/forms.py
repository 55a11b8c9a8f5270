from django import forms

from core.form_fields import MoneyField, SiteDateField
from sales.form_fields import CustomerChoiceField
from sales.models import Product, UomCategory

from .models import Contract


class ContractForm(forms.Form):
    customer = CustomerChoiceField()  # picked by search: thousands of customers
    product = forms.ModelChoiceField(
        queryset=Product.objects.filter(
            active=True,
            invoice_policy=Product.InvoicePolicy.PREPAID,
            uom__category__kind=UomCategory.Kind.TIME,
        ).order_by("name"),
        help_text="A prepaid product sold in a time unit; its price per hour is the period's price.",
    )
    hours_per_period = forms.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, label="Hours per period"
    )
    period = forms.ChoiceField(choices=Contract.Period.choices)
    start_date = SiteDateField()
    end_date = SiteDateField(required=False)
    rollover = forms.ChoiceField(choices=Contract.Rollover.choices)
    rollover_cap_hours = forms.DecimalField(
        max_digits=14, decimal_places=2, required=False, label="Rollover cap (hours)"
    )
    rollover_expiry_periods = forms.IntegerField(
        required=False, min_value=1, label="Rolled-over hours expire after (periods)"
    )
    overage = forms.ChoiceField(choices=Contract.Overage.choices, label="Hours past the balance")
    overage_rate = MoneyField(max_digits=14, decimal_places=2, required=False, label="Overage hourly rate")
