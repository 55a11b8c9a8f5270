"""The admin in the site's one locale: money reads "30,250.00 EUR" and hours "1,234.50" in lists,
read-only views and inlines, and a money field is typed as "30,250.00" (the currency beside it;
"30,250.00 EUR" is read back too), like every other screen (core/display.py). Dates need nothing
here: the admin reads DATE_FORMAT / DATE_INPUT_FORMATS (config/formats), ISO in English.

`PortalAdminConfig` replaces "django.contrib.admin" in INSTALLED_APPS; its site gives every
registered ModelAdmin (and its inlines) the `SiteFormats` mixin. Django's admin has no hook for
how one model field's read-only value reads, so `display_for_field` is wrapped where the admin's
read-only fields and list cells call it (`install_display`).
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.db import models

from core.display import format_hours, format_money
from core.form_fields import MoneyField, MoneyInput
from core.money import MONEY_PLACES

# Decimal model fields holding an amount in the company currency (two decimals), by name: the
# same names mean money in every app. tests/core/test_admin_formats.py fails on a new two-decimal
# field of an admin model that is in none of these sets or OTHER_DECIMALS.
MONEY_FIELD_NAMES = frozenset(
    {
        "price",
        "price_unit",
        "price_subtotal",
        "price_tax",
        "price_total",
        "amount",
        "amount_untaxed",
        "amount_tax",
        "amount_total",
        "amount_paid",
        "amount_settled",
        "subtotal",
        "tax_amount",
        "total",
        "hourly_rate",
        "overage_rate",
    }
)
HOURS_FIELD_NAMES = frozenset(
    {
        "hours",
        "billed_hours",
        "hours_per_period",
        "rollover_cap_hours",
        "sold",
        "used",
        "rolled_over",
        "expired",
        "overage",
    }
)


def is_money_field(field) -> bool:
    return (
        isinstance(field, models.DecimalField)
        and field.decimal_places == MONEY_PLACES
        and field.name in MONEY_FIELD_NAMES
    )


def is_hours_field(field) -> bool:
    return isinstance(field, models.DecimalField) and field.name in HOURS_FIELD_NAMES


class SiteFormats:
    """Mixed into every ModelAdmin and inline of the portal's admin site."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if is_money_field(db_field):
            return db_field.formfield(**{"form_class": MoneyField, "widget": MoneyInput, **kwargs})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


def with_site_formats(admin_class):
    if issubclass(admin_class, SiteFormats):
        return admin_class
    attrs = {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__}
    if getattr(admin_class, "inlines", None):
        attrs["inlines"] = [with_site_formats(inline) for inline in admin_class.inlines]
    return type(admin_class.__name__, (SiteFormats, admin_class), attrs)


class PortalAdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = with_site_formats(admin_class or admin.ModelAdmin)
        return super().register(model_or_iterable, admin_class, **options)


def site_display_for_field(original):
    def display_for_field(value, field, empty_value_display, *args, **kwargs):
        if value is not None and is_money_field(field):
            return format_money(value).replace(" ", "\u00a0")  # the amount and its currency stay together
        if value is not None and is_hours_field(field):
            return format_hours(value)
        return original(value, field, empty_value_display, *args, **kwargs)

    display_for_field.site_formats = True
    return display_for_field


def install_display() -> None:
    from django.contrib.admin import helpers
    from django.contrib.admin.templatetags import admin_list

    for module in (helpers, admin_list):
        if not getattr(module.display_for_field, "site_formats", False):
            module.display_for_field = site_display_for_field(module.display_for_field)


class PortalAdminConfig(AdminConfig):
    default_site = "core.admin_site.PortalAdminSite"

    def ready(self):
        super().ready()
        install_display()
