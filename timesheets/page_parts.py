"""What timesheets adds to other apps' pages (registered in TimesheetsConfig.ready)."""

from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.urls import reverse

from .models import TimesheetLine


def order_timesheets(*, order, **_context) -> dict:
    """The order page (sales): the latest time lines on the order, their count and total."""
    timesheets = TimesheetLine.objects.filter(sale_line__order=order)
    timesheet_total = timesheets.aggregate(total=Coalesce(Sum("hours"), Decimal("0.00")))["total"]
    return {
        "timesheets": list(
            timesheets.select_related("employee", "invoice", "sale_line").order_by("-date", "-id")[:25]
        ),
        "timesheet_count": timesheets.count(),
        "timesheet_total": timesheet_total,
        "timesheets_url": reverse("timesheets:line_list"),
    }
