"""Django admin for invoices and payments: shown, never written here.

Posting, cancelling, crediting and paying go through the invoicing services (gapless numbers,
frozen posted invoices, released timesheets), so the admin is read-only for every invoice.
"""

from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline
from core.display import money_column

from .models import Invoice, InvoiceLine, Payment

INVOICE_LINE_FIELDS = (
    "display_type",
    "description",
    "quantity",
    "uom",
    "price_unit",
    "discount",
    "tax_rate",
    "subtotal",
    "tax_amount",
    "total",
    "sale_line",
)


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceLine
    parent_view_permission = "invoicing.view_invoice"
    fields = INVOICE_LINE_FIELDS

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uom", "sale_line__order", "sale_line__product")


class PaymentInline(ReadOnlyInline):
    model = Payment
    parent_view_permission = "invoicing.view_invoice"
    fields = ("date", "amount", "method", "reference", "created_by")


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "kind",
        "customer",
        "order",
        "invoice_date",
        "due_date",
        "state",
        "payment_state",
        "total",
        "paid",
    )
    untaxed = money_column("amount_untaxed", "Untaxed")
    tax = money_column("amount_tax", "Tax")
    total = money_column("amount_total", "Total")
    paid = money_column("amount_paid", "Paid")
    readonly_fields = ("untaxed", "tax", "total", "paid")
    list_filter = ("state", "kind", "payment_state", "invoice_date")
    search_fields = ("number", "customer__name", "order__name", "payment_reference")
    date_hierarchy = "invoice_date"
    list_select_related = ("customer", "order")
    inlines = [InvoiceLineInline, PaymentInline]
    fieldsets = (
        (None, {"fields": (("number", "kind", "state"), ("customer", "order"), "reversed_invoice")}),
        ("Dates", {"fields": (("invoice_date", "due_date"), ("period_start", "period_end"), "posted_at")}),
        (
            "Amounts",
            {"fields": (("untaxed", "tax", "total"), ("paid", "payment_state"))},
        ),
        ("Document", {"fields": ("payment_reference", ("pdf", "pdf_sha256"), "sent_at", "created_by")}),
    )


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("date", "invoice", "paid_amount", "method", "reference", "created_by")
    paid_amount = money_column("amount", "Amount")
    list_filter = ("method", "date")
    search_fields = ("invoice__number", "invoice__customer__name", "reference")
    date_hierarchy = "date"
    list_select_related = ("invoice", "created_by")
