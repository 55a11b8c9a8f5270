"""The timesheet appendix of an invoice PDF, laid out for speed when it is long.

WeasyPrint lays out every table cell as its own box: about 3 ms per timesheet row on our
machines, so a 10 000-line appendix took ~35 s as a table. Up to `INVOICE_APPENDIX_TABLE_MAX_ROWS`
rows the appendix stays a table; beyond, it becomes a listing in a monospaced font, wrapped here
in Python and cut into page-sized `<pre>` blocks (one text box per page: ~0.4 ms per row,
measured in bench/README.md). Same columns, same content, readable back with pdftotext.
"""

import textwrap
from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings

from core.display import format_hours

# Character widths of the listing's columns: date, employee, hours, description (DejaVu Sans
# Mono 7.5 pt: 104 characters fit the 178 mm text width of an A4 page with the template's margins).
# Hours and billed hours (after billable rounding) side by side.
DATE_WIDTH, EMPLOYEE_WIDTH, DESCRIPTION_WIDTH, HOURS_WIDTH = 10, 20, 50, 8
GAP = "  "
# Physical lines per page block (the first block shares its page with the appendix title).
LINES_PER_PAGE = 62


def appendix_uses_table(timesheet_count: int) -> bool:
    return timesheet_count <= settings.INVOICE_APPENDIX_TABLE_MAX_ROWS


def _row(date: str, employee: str, description: str, hours: str, billed: str = "") -> str:
    # Hours before the description: no padding after the text (WeasyPrint draws every space).
    return GAP.join(
        (
            date.ljust(DATE_WIDTH),
            employee.ljust(EMPLOYEE_WIDTH),
            hours.rjust(HOURS_WIDTH),
            billed.rjust(HOURS_WIDTH),
            description,
        )
    ).rstrip()


def _wrapped(text: str, width: int) -> list[str]:
    return textwrap.wrap(
        " ".join(text.split()), width=width, break_long_words=True, break_on_hyphens=False
    ) or [""]


def timesheet_lines_text(timesheet) -> list[str]:
    """One timesheet line as one or more fixed-width text lines (long fields wrap)."""
    employees = _wrapped(str(timesheet.employee), EMPLOYEE_WIDTH)
    descriptions = _wrapped(timesheet.description or "", DESCRIPTION_WIDTH)
    height = max(len(employees), len(descriptions))
    employees += [""] * (height - len(employees))
    descriptions += [""] * (height - len(descriptions))
    first = _row(
        f"{timesheet.date:%Y-%m-%d}",
        employees[0],
        descriptions[0],
        format_hours(timesheet.hours),
        format_hours(getattr(timesheet, "billed", timesheet.hours)),
    )
    return [first, *(_row("", employees[i], descriptions[i], "") for i in range(1, height))]


def appendix_pages(
    timesheets: Sequence, total_hours: Decimal, billed_hours: Decimal | None = None
) -> list[list[str]]:
    """The listing cut into page blocks, each starting with the column header; a timesheet line
    is never split across two pages. The last block ends with the total."""
    header = [_row("Date", "Employee", "Description", "Hours", "Billed"), "-" * _line_width()]
    pages: list[list[str]] = []
    page: list[str] = list(header)
    for timesheet in timesheets:
        lines = timesheet_lines_text(timesheet)
        if len(page) + len(lines) > LINES_PER_PAGE:
            pages.append(page)
            page = list(header)
        page.extend(lines)
    billed = total_hours if billed_hours is None else billed_hours
    total_row = _row("", "Total hours", "", format_hours(total_hours), format_hours(billed))
    footer = ["-" * _line_width(), total_row]
    if len(page) + len(footer) > LINES_PER_PAGE:
        pages.append(page)
        page = list(header)
    pages.append(page + footer)
    return pages


def _line_width() -> int:
    return DATE_WIDTH + EMPLOYEE_WIDTH + DESCRIPTION_WIDTH + 2 * HOURS_WIDTH + 4 * len(GAP)
