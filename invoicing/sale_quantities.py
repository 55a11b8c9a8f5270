"""The quantity invoiced on an order line, as sales sums it (registered as its quantity source
in InvoicingConfig.ready(); sales sits below invoicing and never imports it)."""

from django.db.models import Case, DecimalField, F, OuterRef, Subquery, Sum, When

from core.money import EXACT_QTY_DIGITS, EXACT_QTY_PLACES

from .models import Invoice, InvoiceLine

_QTY = DecimalField(max_digits=EXACT_QTY_DIGITS, decimal_places=EXACT_QTY_PLACES)


def order_line_invoiced_quantity() -> Subquery:
    """The product lines billing the order line OuterRef("pk") on invoices that are not
    cancelled, summed; a credit note's lines count negative. NULL when none."""
    signed = Case(
        When(invoice__kind=Invoice.Kind.CREDIT_NOTE, then=-F("quantity")),
        default=F("quantity"),
        output_field=_QTY,
    )
    return Subquery(
        InvoiceLine.objects.filter(sale_line=OuterRef("pk"), display_type=InvoiceLine.DisplayType.PRODUCT)
        .exclude(invoice__state=Invoice.State.CANCEL)
        .order_by()
        .values("sale_line")
        .annotate(total=Sum(signed))
        .values("total"),
        output_field=_QTY,
    )
