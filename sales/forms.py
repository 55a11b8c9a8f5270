"""Browser forms of the sales screens: input shape only, the rules are in sales.services."""

from datetime import date
from decimal import Decimal

from django import forms

from core.form_fields import SiteDateField
from core.models import User

from .form_fields import CustomerChoiceField
from .models import Customer, Order, Product, Tax, Uom


def salespeople():
    return (
        User.objects.filter(groups__name="sales").distinct().order_by("first_name", "last_name", "username")
    )


class CustomerForm(forms.ModelForm):
    def _clean_minutes(self, name):
        return self.cleaned_data.get(name) or 0

    def clean_billable_rounding_minutes(self):
        return self._clean_minutes("billable_rounding_minutes")

    def clean_billable_minimum_minutes(self):
        return self._clean_minutes("billable_minimum_minutes")

    class Meta:
        model = Customer
        fields = [
            "name",
            "email",
            "phone",
            "vat",
            "street",
            "zip",
            "city",
            "country",
            "payment_term_days",
            "delivery_channel",
            "peppol_id",
            "billable_rounding_minutes",
            "billable_minimum_minutes",
        ]
        labels = {
            "billable_rounding_minutes": "Round time up to (minutes)",
            "billable_minimum_minutes": "Minimum billed per line (minutes)",
            "payment_term_days": "Payment term (days)",
            "zip": "Postcode",
            "delivery_channel": "Send invoices by",
        }
        help_texts = {
            "peppol_id": "scheme:identifier, e.g. 0208:0123456749. Left blank with a Belgian VAT number, "
            "it is derived from it when invoices go over Peppol."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delivery_channel"].required = False  # e-mail unless chosen otherwise
        for name in ("billable_rounding_minutes", "billable_minimum_minutes"):
            self.fields[name].required = False  # empty: no rounding

    def clean_delivery_channel(self):
        return self.cleaned_data.get("delivery_channel") or Customer.DeliveryChannel.EMAIL

    def clean_country(self):
        country = (self.cleaned_data.get("country") or "").strip().upper()
        if country and (len(country) != 2 or not country.isalpha()):
            raise forms.ValidationError("Use the two-letter ISO country code, e.g. BE.")
        return country

    def clean_payment_term_days(self):
        days = self.cleaned_data["payment_term_days"]
        if days > 365:
            raise forms.ValidationError("A payment term of more than a year is not accepted.")
        return days


class OrderCreateForm(forms.Form):
    customer = CustomerChoiceField()  # picked by search: thousands of customers
    salesperson = forms.ModelChoiceField(required=False, queryset=salespeople())
    order_date = SiteDateField(initial=date.today)
    client_reference = forms.CharField(required=False, max_length=100, label="Customer reference")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["salesperson"].queryset = salespeople()


class OrderHeaderForm(OrderCreateForm):
    """The header of a quotation being edited: the same fields as when it was created."""

    prefix = "header"

    @staticmethod
    def initial_for(order: Order) -> dict:
        return {
            "customer": order.customer,  # its name shown without another query
            "salesperson": order.salesperson_id,
            "order_date": order.order_date,
            "client_reference": order.client_reference,
            "note": order.note,
        }


class OrderLineForm(forms.Form):
    product = forms.ModelChoiceField(queryset=Product.objects.filter(active=True).select_related("uom"))
    description = forms.CharField(required=False, max_length=500)
    quantity = forms.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal("0"), initial=Decimal("1")
    )
    uom = forms.ModelChoiceField(
        queryset=Uom.objects.filter(active=True).select_related("category"), label="Unit"
    )
    price_unit = forms.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal("0"), label="Unit price"
    )
    discount = forms.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        initial=Decimal("0"),
        required=False,
        label="Disc. %",
    )
    tax = forms.ModelChoiceField(
        queryset=Tax.objects.filter(active=True), required=False, empty_label="No tax"
    )

    def __init__(self, *args, prefix_key: str = "new", **kwargs):
        super().__init__(*args, **kwargs)
        self.key = prefix_key
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("id", f"line-{prefix_key}-{name}")
            field.widget.attrs.setdefault("aria-label", field.label or name.title())
        for name in ("quantity", "price_unit", "discount"):
            self.fields[name].widget.attrs.update({"class": "num-input", "step": "0.01"})

    def bind_htmx(self, *, compute_url: str, product_url: str) -> "OrderLineForm":
        """Live behaviour: amounts recomputed as figures change; product fills unit/price/tax."""
        calc = {
            "hx-post": compute_url,
            "hx-trigger": "input changed delay:300ms, change",
            "hx-include": "closest tr",
            "hx-swap": "none",
        }
        for name in ("quantity", "price_unit", "discount", "tax"):
            self.fields[name].widget.attrs.update(calc)
        # Once on load too: the order totals then include the line being edited.
        self.fields["quantity"].widget.attrs["hx-trigger"] = "load, input changed delay:300ms, change"
        self.fields["product"].widget.attrs.update(
            {
                "hx-post": product_url,
                "hx-trigger": "change",
                "hx-include": "closest tr",
                "hx-target": "closest tr",
                "hx-swap": "outerHTML",
            }
        )
        return self

    def clean_discount(self):
        return self.cleaned_data.get("discount") or Decimal("0")

    @staticmethod
    def initial_for_product(product: Product) -> dict:
        return {
            "product": product,
            "description": product.name,
            "uom": product.uom,
            "price_unit": product.price,
            "tax": product.tax,
        }
