import datetime
from decimal import Decimal

from core.money import ZERO


def month_starts(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The first day of every month from `start`'s month to `end`'s month."""
    months = []
    index = start.year * 12 + start.month - 1
    last = end.year * 12 + end.month - 1
    while index <= last:
        months.append(datetime.date(index // 12, index % 12 + 1, 1))
        index += 1
    return months


def dec(value) -> Decimal:
    """An aggregate's value as a Decimal (SUM over no rows is NULL)."""
    return ZERO if value is None else value


def date_range_q(field: str, filters) -> dict:
    bounds = {f"{field}__lte": filters.date_to}
    if filters.date_from is not None:
        bounds[f"{field}__gte"] = filters.date_from
    return bounds
