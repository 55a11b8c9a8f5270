"""What a posted invoice may still have credited (SPEC Credit notes)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from core.money import ZERO

from ..models import InvoiceLine


@dataclass
class CreditableLine:
    line: InvoiceLine
    credited: Decimal
    remaining: Decimal


def invoice_creditable_lines(*, invoice) -> list[CreditableLine]:
    """The product lines of a posted invoice with what live credit notes already credited and
    what may still be credited (SPEC Credit notes: never more than not yet credited)."""
    credited = dict(
        InvoiceLine.objects.filter(reversed_line__invoice=invoice)
        .exclude(invoice__state="cancel")
        .order_by()
        .values("reversed_line")
        .annotate(total=Sum("quantity"))
        .values_list("reversed_line", "total")
    )
    lines = invoice.lines.filter(display_type=InvoiceLine.DisplayType.PRODUCT).select_related("uom", "tax")
    return [
        CreditableLine(
            line=line,
            credited=credited.get(line.pk, ZERO),
            remaining=line.quantity - credited.get(line.pk, ZERO),
        )
        for line in lines.order_by("sequence", "id")
    ]
