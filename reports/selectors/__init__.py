"""Report reads: aggregates computed by the database, a fixed number of queries per report."""

from .billing import aged_receivables, revenue_by_month
from .burndown import prepaid_burndown
from .hours import HOURS_GROUPINGS, hours_report
from .unbilled import unbilled_work

__all__ = [
    "HOURS_GROUPINGS",
    "aged_receivables",
    "hours_report",
    "prepaid_burndown",
    "revenue_by_month",
    "unbilled_work",
]
