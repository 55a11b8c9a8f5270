"""CSV cells a spreadsheet will not run as formulas (CSV injection).

A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading
apostrophe, so Excel or LibreOffice shows it as text; plain numbers ("-12.50", a credit note's
amount) stay numbers. Every CSV export writes through `SafeWriter`.
"""

from __future__ import annotations

import csv
import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[-+]?\d+(\.\d+)?$")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.match(value):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer with every cell passed through `safe_cell`."""

    def __init__(self, file, **kwargs):
        self._writer = csv.writer(file, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)
