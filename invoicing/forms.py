"""Browser forms of the invoicing screens. Validation of input shape only; rules are in services."""

from datetime import date
from decimal import Decimal

from django import forms

from core.form_fields import MoneyField, SiteDateField

from .models import Payment
from .services import Method


class PaymentForm(forms.Form):
    amount = MoneyField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    date = SiteDateField(initial=date.today)
    method = forms.ChoiceField(choices=Payment.Method.choices, initial=Payment.Method.BANK_TRANSFER)
    reference = forms.CharField(required=False, max_length=100)


class CreateInvoiceForm(forms.Form):
    method = forms.ChoiceField(choices=Method.CHOICES, initial=Method.REGULAR, widget=forms.RadioSelect)
    amount = forms.DecimalField(
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text="Percentage of the untaxed total, or a fixed amount including tax.",
    )
    period_start = SiteDateField(required=False, label="From")
    period_end = SiteDateField(required=False, label="To")

    def __init__(self, *args, with_period: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_period:
            del self.fields["period_start"]
            del self.fields["period_end"]

    def clean(self):
        data = super().clean()
        method = data.get("method")
        amount = data.get("amount")
        if method == Method.DOWN_PAYMENT_PERCENT:
            if amount is None:
                self.add_error("amount", "Enter the percentage of the down payment.")
            elif amount > 100:
                self.add_error("amount", "A percentage cannot exceed 100.")
        elif method == Method.DOWN_PAYMENT_FIXED and amount is None:
            self.add_error("amount", "Enter the amount of the down payment.")
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", "The end of the period is before its start.")
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        method = data["method"]
        return {
            "method": method,
            "amount": data.get("amount") if method != Method.REGULAR else None,
            "period_start": data.get("period_start") if method == Method.REGULAR else None,
            "period_end": data.get("period_end") if method == Method.REGULAR else None,
        }
