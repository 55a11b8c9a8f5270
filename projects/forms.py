"""Browser forms of the projects app. They only validate input; services apply the rules."""

from decimal import Decimal

from django import forms
from django.db.models import Q

from core.form_fields import SiteDateField
from core.models import User
from core.widgets import SiteDateInput
from sales.models import Product

from .models import Task


def staff_users():
    return User.objects.filter(
        Q(groups__name__in=["agent", "sales"]) | Q(is_superuser=True), is_active=True
    ).distinct()


class TaskForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = ["title", "assignee", "stage", "planned_date", "description", "worksheet_notes"]
        widgets = {
            "planned_date": SiteDateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "worksheet_notes": forms.Textarea(attrs={"rows": 5, "placeholder": "What was done on site…"}),
        }
        labels = {"worksheet_notes": "Worksheet notes"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_users()
        if self.instance.is_done:
            self.fields["stage"].choices = [(Task.Stage.DONE, Task.Stage.DONE.label)]
            self.fields["stage"].disabled = True
        else:
            self.fields["stage"].choices = [c for c in Task.Stage.choices if c[0] != Task.Stage.DONE]


class MaterialForm(forms.Form):
    product = forms.ModelChoiceField(
        queryset=Product.objects.filter(type=Product.Type.GOODS, active=True).select_related("uom"),
        empty_label="Choose a product…",
    )
    quantity = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        initial=Decimal("1"),
        widget=forms.NumberInput(attrs={"step": "any", "min": "0.01", "inputmode": "decimal"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].label_from_instance = lambda p: f"{p.name} ({p.qty_on_hand} {p.uom} in stock)"

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity <= 0:
            raise forms.ValidationError("The quantity must be more than zero.")
        return quantity


class SignForm(forms.Form):
    signed_by = forms.CharField(label="Name of the signer", max_length=200)
    signature = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_signature(self):
        signature = self.cleaned_data.get("signature", "")
        if not signature:
            raise forms.ValidationError("Please sign in the box before saving.")
        return signature


class StockReceiptForm(forms.Form):
    """Goods received into stock (the product page); `projects.stock_services` checks the rest."""

    quantity = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        label="Quantity received",
        widget=forms.NumberInput(attrs={"step": "any", "min": "0.01", "inputmode": "decimal"}),
    )
    date = SiteDateField(label="Received on")
    reference = forms.CharField(
        max_length=100, required=False, help_text="e.g. the supplier's delivery note number"
    )
    note = forms.CharField(max_length=200, required=False)
