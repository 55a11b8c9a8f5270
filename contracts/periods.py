"""Period arithmetic of contracts: pure date functions, no database.

Periods are anchored on the contract's start date (period k starts k × length months after it),
so a contract starting on 31 January renews on 28/29 February, then on 31 March (no drift).
"""

import calendar
import datetime

MONTHS = {"month": 1, "quarter": 3, "year": 12}


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` moved by `months`, clamped to the end of a shorter month."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_bounds(
    *, start_date: datetime.date, period: str, sequence: int, end_date: datetime.date | None = None
) -> tuple[datetime.date, datetime.date]:
    """(first day, last day) of period number `sequence` (0 = the first); the last period ends on
    the contract's end date."""
    length = MONTHS[period]
    start = add_months(start_date, sequence * length)
    end = add_months(start_date, (sequence + 1) * length) - datetime.timedelta(days=1)
    if end_date is not None and end > end_date:
        end = end_date
    return start, end


def period_sequence_on(
    *, start_date: datetime.date, period: str, day: datetime.date, end_date: datetime.date | None = None
) -> int | None:
    """The number of the period that contains `day`; None before the start or after the end."""
    if day < start_date or (end_date is not None and day > end_date):
        return None
    length = MONTHS[period]
    months = (day.year - start_date.year) * 12 + day.month - start_date.month
    sequence = max(0, months // length)
    while add_months(start_date, sequence * length) > day:
        sequence -= 1
    while add_months(start_date, (sequence + 1) * length) <= day:
        sequence += 1
    return sequence
