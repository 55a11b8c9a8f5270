"""Django admin for sales: units, taxes, customers, products; orders are shown, not edited here.

Orders change state through the sales services (numbers, delivered quantities, signals), so
the admin shows them read-only; quotations are made in the sales screens or the API.
"""

from django import forms
from django.contrib import admin
from django.utils.html import format_html

from core.admin import ReadOnlyAdmin, ReadOnlyInline
from core.display import money_column
from core.links import link_url
from core.models import User

from .models import Customer, Order, OrderLine, Product, Tax, Uom, UomCategory
from .selectors import uom_change_errors


class UomForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        category = cleaned.get("category")
        errors = uom_change_errors(
            uom=self.instance, category_id=category.pk if category else None, ratio=cleaned.get("ratio")
        )
        for field, message in errors.items():
            self.add_error(field, message)
        return cleaned


class UomInline(admin.TabularInline):
    model = Uom
    form = UomForm
    extra = 0
    fields = ("name", "ratio", "active")


@admin.register(UomCategory)
class UomCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "kind")
    list_filter = ("kind",)
    search_fields = ("name",)
    inlines = [UomInline]


@admin.register(Uom)
class UomAdmin(admin.ModelAdmin):
    form = UomForm
    list_display = ("name", "category", "ratio", "active")
    list_filter = ("category", "active")
    search_fields = ("name",)
    list_select_related = ("category",)


@admin.register(Tax)
class TaxAdmin(admin.ModelAdmin):
    list_display = ("name", "rate", "vat_category", "active")
    list_filter = ("active", "vat_category")
    search_fields = ("name",)


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "vat", "city", "country", "payment_term_days", "portal_user_list")
    list_filter = ("country",)
    search_fields = ("name", "email", "vat", "city", "portal_users__username")
    filter_horizontal = ("portal_users",)
    fieldsets = (
        (None, {"fields": ("name", "email", "phone", "vat")}),
        ("Address", {"fields": ("street", "zip", "city", "country")}),
        ("Billing", {"fields": ("payment_term_days", "delivery_channel", "peppol_id")}),
        ("Billable rounding", {"fields": (("billable_rounding_minutes", "billable_minimum_minutes"),)}),
        ("Portal", {"fields": ("portal_users",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("portal_users")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "portal_users":
            kwargs["queryset"] = User.objects.filter(groups__name="customer").distinct()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description="portal users")
    def portal_user_list(self, obj):
        return ", ".join(u.username for u in obj.portal_users.all()) or "—"


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "type",
        "invoice_policy",
        "uom",
        "sale_price",
        "tax",
        "upsell_threshold",
        "service_tracking",
        "active",
    )
    sale_price = money_column("price", "Price")
    list_filter = ("type", "invoice_policy", "service_tracking", "uom", "tax", "active")
    search_fields = ("name", "default_code", "description")
    list_select_related = ("uom", "tax")
    autocomplete_fields = ("project",)
    fieldsets = (
        (None, {"fields": ("name", "default_code", "description", "type", "active")}),
        ("Sales", {"fields": ("invoice_policy", "uom", "price", "tax", "upsell_threshold")}),
        (
            "Billable rounding (overrides the customer's)",
            {"fields": (("billable_rounding_minutes", "billable_minimum_minutes"),)},
        ),
        ("Service tracking", {"fields": ("service_tracking", "project")}),
        ("Stock", {"fields": ("qty_on_hand", "stock_page")}),
    )
    # The quantity on hand moves only with a stock move (a receipt on the product's stock page
    # or the API, a consumption on a task), never by typing it here.
    readonly_fields = ("qty_on_hand", "stock_page")

    @admin.display(description="Receive goods")
    def stock_page(self, product):
        if product.pk is None or product.type != Product.Type.GOODS:
            return "Goods only, once the product is saved."
        url = link_url("product.stock", product.pk)
        if not url:
            return ""
        return format_html('<a href="{}">Receive goods and see the stock moves →</a>', url)


ORDER_LINE_FIELDS = (
    "product",
    "description",
    "quantity",
    "uom",
    "price_unit",
    "discount",
    "tax",
    "invoice_policy",
    "qty_delivered",
    "qty_invoiced",
    "qty_to_invoice",
    "invoice_status",
    "price_subtotal",
    "price_total",
)


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    parent_view_permission = "sales.view_order"
    fields = ORDER_LINE_FIELDS

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product", "uom", "tax")


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = (
        "name",
        "customer",
        "salesperson",
        "order_date",
        "state",
        "invoice_status",
        "untaxed",
        "total",
        "is_upsell",
    )
    untaxed = money_column("amount_untaxed", "Untaxed")
    tax = money_column("amount_tax", "Tax")
    total = money_column("amount_total", "Total")
    readonly_fields = ("untaxed", "tax", "total")
    list_filter = ("state", "invoice_status", "is_upsell", "order_date")
    search_fields = ("name", "customer__name", "client_reference")
    date_hierarchy = "order_date"
    list_select_related = ("customer", "salesperson")
    inlines = [OrderLineInline]
    fieldsets = (
        (
            None,
            {"fields": (("name", "state"), ("customer", "salesperson"), ("order_date", "client_reference"))},
        ),
        ("Invoicing", {"fields": ("invoice_status", ("untaxed", "tax", "total"))}),
        ("Upsell", {"fields": (("is_upsell", "upsell_reason", "upsell_flagged_at"),)}),
        ("History", {"fields": (("confirmed_at", "locked_at"), "note")}),
    )
