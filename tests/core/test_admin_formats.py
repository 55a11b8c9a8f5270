"""The admin in the site's one locale (issue 14): money reads "30,250.00 EUR" in lists, read-only
pages and inlines, a money field is typed as "30,250.00" (currency beside it) and read back with
its separators and currency; hours read "1,234.50"; dates are ISO (core/admin_site.py)."""

import datetime
from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import models
from django.test import RequestFactory
from django.urls import reverse

from core.admin_site import HOURS_FIELD_NAMES, MONEY_FIELD_NAMES, MoneyField
from sales.models import Product
from tests.factories import InvoiceFactory, InvoiceLineFactory, ProductFactory, TimesheetLineFactory

pytestmark = pytest.mark.django_db

# Two-decimal fields of admin models that are neither money nor hours: quantities in their own
# unit, percentages, thresholds.
OTHER_DECIMALS = {"quantity", "qty_on_hand", "discount", "upsell_threshold"}


def admin_models():
    for model, model_admin in admin.site._registry.items():
        yield model
        for inline in model_admin.inlines:
            yield inline.model


def test_every_two_decimal_field_of_the_admin_is_money_hours_or_a_known_quantity():
    unknown = sorted(
        f"{model._meta.label}.{field.name}"
        for model in admin_models()
        for field in model._meta.fields
        if isinstance(field, models.DecimalField)
        and field.decimal_places == 2
        and field.name not in MONEY_FIELD_NAMES | HOURS_FIELD_NAMES | OTHER_DECIMALS
    )
    assert not unknown, f"say whether these are money, hours or quantities: {unknown}"


def test_a_money_field_reads_separators_and_the_currency_back():
    field = MoneyField(max_digits=14, decimal_places=2)
    assert field.clean("30,250.00 EUR") == Decimal("30250.00")
    assert field.clean("30250") == Decimal("30250")
    assert field.clean("1 250,5") == Decimal("1250.5")
    with pytest.raises(Exception, match="Enter an amount"):
        field.clean("thirty")


def test_the_product_form_shows_and_takes_money_in_the_sites_format(admin_client, admin_user):
    product = ProductFactory(price=Decimal("30250.00"))
    html = admin_client.get(reverse("admin:sales_product_change", args=[product.pk])).content.decode()
    assert 'value="30,250.00"' in html and '<span class="money-currency">EUR</span>' in html
    assert "30250.00" not in html

    request = RequestFactory().get("/")
    request.user = admin_user
    form_class = admin.site._registry[Product].get_form(request, product)
    bound = form_class(instance=product)
    data = {name: bound[name].value() for name in bound.fields}
    data = {name: "" if value is None else value for name, value in data.items()}
    data["price"] = "1,250.50 EUR"
    form = form_class(data, instance=product)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["price"] == Decimal("1250.50")
    form = form_class({**data, "price": "lots"}, instance=product)
    assert form.errors["price"] == ["Enter an amount, e.g. 1,250.00."]


def test_read_only_pages_and_inlines_show_money_and_dates_like_the_screens(admin_client):
    invoice = InvoiceFactory(amount_total=Decimal("30250.00"), invoice_date=datetime.date(2026, 12, 1))
    InvoiceLineFactory(invoice=invoice, price_unit=Decimal("1500.00"), subtotal=Decimal("1500.00"))
    html = admin_client.get(reverse("admin:invoicing_invoice_change", args=[invoice.pk])).content.decode()
    # A line's amount keeps its currency on the same line (a no-break space).
    assert "30,250.00 EUR" in html and "1,500.00\xa0EUR" in html
    assert "30250.00" not in html and "1500.00 " not in html
    assert "2026-12-01" in html and "Dec. 1, 2026" not in html


def test_hours_read_with_separators_in_the_admin(admin_client):
    from django.contrib.admin import helpers
    from django.contrib.admin.templatetags import admin_list

    from contracts.models import ContractPeriod

    sold = ContractPeriod._meta.get_field("sold")
    for module in (helpers, admin_list):  # read-only fields and list cells
        assert module.display_for_field(Decimal("1234.5"), sold, "-") == "1,234.50"
        assert module.display_for_field(None, sold, "-") == "-"
    line = TimesheetLineFactory(hours=Decimal("7.50"))
    html = admin_client.get(reverse("admin:timesheets_timesheetline_change", args=[line.pk])).content.decode()
    assert "7.50" in html
