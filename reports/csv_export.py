"""CSV downloads of the reports, safe to open in a spreadsheet (cells via core.csv_safe)."""

from django.http import HttpResponse

from core.csv_safe import SafeWriter


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = SafeWriter(response)
    writer.writerow(header)
    writer.writerows(["" if cell is None else cell for cell in row] for row in rows)
    return response
