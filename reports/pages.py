"""What each report page shows: its figures, its chart and its CSV rows (views stay thin)."""

from collections.abc import Callable
from dataclasses import dataclass

from core.money import ZERO

from . import selectors
from .charts import Series, bar_chart, line_chart
from .selectors.billing import AGE_BUCKETS

CHART_ITEMS = 12  # bars in a chart by customer / project / employee; the rest is "Other"
TABLE_ROWS = 200  # rows shown on the page; the CSV has them all


@dataclass(frozen=True)
class ReportPage:
    slug: str
    title: str
    summary: str
    default_months: int | None  # default start: months before this month (None: open)
    build: Callable  # (filters, params) -> context dict with "chart", "csv_header", "csv_rows"


def _top(items: list, value: Callable, label: Callable, series: list[tuple[str, Callable, str]]):
    """Labels and series of the CHART_ITEMS largest items, the others summed as "Other"."""
    ranked = sorted(items, key=lambda item: -abs(value(item)))
    shown, rest = ranked[:CHART_ITEMS], ranked[CHART_ITEMS:]
    labels = [label(item) for item in shown]
    data = [Series(name, [get(item) for item in shown], css) for name, get, css in series]
    if rest:
        labels.append(f"Other ({len(rest)})")
        for s, (_, get, _css) in zip(data, series, strict=True):
            s.values.append(sum((get(item) for item in rest), ZERO))
    return labels, data


# --- hours ---------------------------------------------------------------------------------

# The chart shows where the time went: actual hours (the table and CSV add the billed duration).
HOURS_SERIES = [
    ("Invoiced", lambda r: r.actual.invoiced, "s-billed"),
    ("Prepaid / fixed", lambda r: r.actual.prepaid, "s-prepaid"),
    ("Unbilled", lambda r: r.actual.unbilled, "s-unbilled"),
    ("Non-billable", lambda r: r.actual.non_billable, "s-nonbillable"),
]
HOURS_CSV = [
    ("Total h", lambda f: f.total),
    ("Billable h", lambda f: f.billable),
    ("Non-billable h", lambda f: f.non_billable),
    ("Invoiced h", lambda f: f.invoiced),
    ("Prepaid/fixed h", lambda f: f.prepaid),
    ("Unbilled h", lambda f: f.unbilled),
]


def _hours_csv_header(heading: str) -> list[str]:
    header = [heading]
    for name, _ in HOURS_CSV:
        header += [name, name.replace(" h", " billed h")]
    return header


def _hours_csv_row(row) -> list:
    cells = [row.label]
    for _, get in HOURS_CSV:
        cells += [get(row.actual), get(row.billed)]
    return cells


def build_hours(filters, params) -> dict:
    group_by = params.get("by") if params.get("by") in selectors.HOURS_GROUPINGS else "customer"
    report = selectors.hours_report(filters=filters, group_by=group_by)
    if group_by == "month":
        labels = [row.label for row in report.rows]
        series = [Series(name, [get(row) for row in report.rows], css) for name, get, css in HOURS_SERIES]
    else:
        labels, series = _top(report.rows, lambda r: r.actual.total, lambda r: r.label, HOURS_SERIES)
    heading = selectors.HOURS_GROUPINGS[group_by]
    return {
        "report": report,
        "group_by": group_by,
        "groupings": selectors.HOURS_GROUPINGS,
        "heading": heading,
        "chart": bar_chart(f"Hours by {heading.lower()}", labels, series),
        "csv_header": _hours_csv_header(heading),
        "csv_rows": (_hours_csv_row(row) for row in [*report.rows, report.totals]),
    }


# --- unbilled work ---------------------------------------------------------------------------


def build_unbilled(filters, params) -> dict:
    # The page shows the first TABLE_ROWS lines (totals over all); the CSV has every line.
    limit = None if params.get("format") == "csv" else TABLE_ROWS
    report = selectors.unbilled_work(filters=filters, limit=limit)
    labels, series = _top(
        report.by_customer,
        lambda item: item[1],
        lambda item: item[0],
        [("Value to invoice", lambda item: item[1], "s-unbilled")],
    )
    return {
        "report": report,
        "chart": bar_chart("Unbilled value by customer", labels, series),
        "csv_header": [
            "Customer",
            "Order",
            "Line",
            "Policy",
            "Unbilled billed h",
            "Unbilled actual h",
            "Quantity",
            "Unit",
            "Unit price",
            "Discount %",
            "Value",
        ],
        "csv_rows": (
            [
                row.customer,
                row.order,
                row.description,
                row.policy_label,
                row.hours,
                row.actual_hours,
                row.quantity,
                row.uom,
                None if row.rated else row.price_unit,  # one price per employee rate
                row.discount,
                row.value,
            ]
            for row in report.rows
        ),
    }


# --- revenue ---------------------------------------------------------------------------------


def build_revenue(filters, params) -> dict:
    report = selectors.revenue_by_month(filters=filters)
    labels = [row.label for row in report.rows]
    series = [
        Series("Invoiced", [row.invoiced for row in report.rows], "s-billed"),
        Series("Credit notes", [row.credited for row in report.rows], "s-credit"),
    ]
    return {
        "report": report,
        "chart": bar_chart("Revenue by month (untaxed)", labels, series),
        "csv_header": ["Month", "Documents", "Invoiced", "Credit notes", "Net untaxed", "Tax", "Total"],
        "csv_rows": (
            [row.label, row.documents, row.invoiced, row.credited, row.net, row.tax, row.total]
            for row in report.rows
        ),
    }


# --- aged receivables ------------------------------------------------------------------------

BUCKET_CSS = ("s-current", "s-age1", "s-age2", "s-age3", "s-age4")


def build_receivables(filters, params) -> dict:
    report = selectors.aged_receivables(filters=filters)
    series_spec = [
        (label, (lambda r, name=name: getattr(r, name)), css)
        for (name, label), css in zip(AGE_BUCKETS, BUCKET_CSS, strict=True)
    ]
    labels, series = _top(report.rows, lambda r: r.total, lambda r: r.customer, series_spec)
    return {
        "report": report,
        "buckets": [label for _, label in AGE_BUCKETS],
        "chart": bar_chart(f"Receivables on {report.as_of:%Y-%m-%d}", labels, series),
        "csv_header": ["Customer", *[label for _, label in AGE_BUCKETS], "Total"],
        "csv_rows": ([row.customer, *row.buckets(), row.total] for row in [*report.rows, report.totals]),
    }


# --- prepaid burn-down -----------------------------------------------------------------------


def build_burndown(filters, params) -> dict:
    limit = None if params.get("format") == "csv" else TABLE_ROWS
    report = selectors.prepaid_burndown(filters=filters, limit=limit)
    labels = [point.label for point in report.points]
    series = [
        Series("Sold h", [p.sold for p in report.points], "s-sold"),
        Series("Used h", [p.used for p in report.points], "s-used"),
        Series("Remaining h", [p.remaining for p in report.points], "s-remaining"),
    ]
    return {
        "report": report,
        "chart": line_chart("Prepaid hours: sold, used, remaining", labels, series),
        "csv_header": [
            "Customer",
            "Order",
            "Line",
            "Contract period",
            "Sold h",
            "Used billed h",
            "Used actual h",
            "Used in period h",
            "Remaining h",
            "Used %",
        ],
        "csv_rows": (
            [
                row.customer,
                row.order,
                row.description,
                row.contract,
                row.sold,
                row.used,
                row.used_actual,
                row.used_in_period,
                row.remaining,
                row.used_percent,
            ]
            for row in report.rows
        ),
    }


PAGES = {
    page.slug: page
    for page in (
        ReportPage(
            "hours", "Hours", "Where the time went: by customer, project, employee or month.", 11, build_hours
        ),
        ReportPage(
            "unbilled",
            "Unbilled work",
            "Work done but not yet invoiced, per order line.",
            None,
            build_unbilled,
        ),
        ReportPage(
            "revenue", "Revenue by month", "Posted invoices, credit notes negative.", 11, build_revenue
        ),
        ReportPage(
            "receivables",
            "Aged receivables",
            "What each customer owes, by days past due.",
            None,
            build_receivables,
        ),
        ReportPage("burndown", "Prepaid burn-down", "Prepaid hours sold, used and left.", 11, build_burndown),
    )
}
