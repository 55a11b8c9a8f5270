"""CSV downloads of the reports, safe to open in a spreadsheet."""

import csv
from decimal import Decimal

from django.http import HttpResponse

# A text cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The cell as text; text that a spreadsheet would run as a formula gets a leading
    apostrophe. Numbers we format ourselves (Decimal, int) stay numbers, minus sign included."""
    if value is None:
        return ""
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return response
