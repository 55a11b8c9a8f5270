"""The hours logged on an order line, as sales sums them (registered as its quantity source in
TimesheetsConfig.ready(); sales sits below timesheets and never imports it)."""

from django.db.models import DecimalField, OuterRef, Subquery, Sum

from core.money import EXACT_QTY_DIGITS, EXACT_QTY_PLACES

from .models import BILLED_HOURS, INVOICEABLE_APPROVAL_STATES, TimesheetLine

_HOURS = DecimalField(max_digits=EXACT_QTY_DIGITS, decimal_places=EXACT_QTY_PLACES)


def order_line_logged_hours(*, approved_only: bool = False) -> Subquery:
    """Billed hours logged on the order line OuterRef("pk"); `approved_only`: the lines a
    post-paid order line may bill (approved, or needing no approval). NULL when none."""
    lines = TimesheetLine.objects.filter(sale_line=OuterRef("pk"))
    if approved_only:
        lines = lines.filter(approval_state__in=INVOICEABLE_APPROVAL_STATES)
    return Subquery(
        lines.order_by().values("sale_line").annotate(total=Sum(BILLED_HOURS)).values("total"),
        output_field=_HOURS,
    )
