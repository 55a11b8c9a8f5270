"""Sales figures on the home page (core.home): quotations to confirm, orders to invoice, upsell
opportunities; products without a price (set-up check)."""

from django.db.models import Count, Q
from django.urls import reverse

from core.home import Figure
from core.links import link_url

from .models import Order, Product


def sales_figures(*, user) -> list[Figure]:
    counts = Order.objects.aggregate(
        quotations=Count("id", filter=Q(state=Order.State.DRAFT)),
        to_invoice=Count("id", filter=Q(invoice_status=Order.InvoiceStatus.TO_INVOICE)),
        upsell=Count("id", filter=Q(is_upsell=True, state=Order.State.SALE)),
    )
    orders = reverse("sales:order_list")
    return [
        Figure(
            key="quotations",
            label="Quotations to confirm",
            value=str(counts["quotations"]),
            url=f"{orders}?state={Order.State.DRAFT}",
        ),
        Figure(
            key="orders_to_invoice",
            label="Orders to invoice",
            value=str(counts["to_invoice"]),
            url=f"{orders}?invoice_status={Order.InvoiceStatus.TO_INVOICE}",
        ),
        Figure(
            key="upsell",
            label="Upsell opportunities",
            value=str(counts["upsell"]),
            url=link_url("upsell.list"),
            attention=counts["upsell"] > 0,
        ),
    ]


def admin_figures(*, user) -> list[Figure]:
    without_price = Product.objects.filter(price=0).count()
    return [
        Figure(
            key="products_without_price",
            label="Products without price",
            value=str(without_price),
            url=f"{reverse('admin:sales_product_changelist')}?price=0",
            hint="They would be sold and invoiced at 0.00.",
            attention=without_price > 0,
        )
    ]
