"""The contract ledger and period dates as pure functions (no database)."""

import datetime
from decimal import Decimal

from contracts.ledger import PeriodInput, compute_ledger
from contracts.periods import period_bounds, period_sequence_on

D = Decimal


def periods(*used, sold="10", closed=None):
    closed = len(used) if closed is None else closed
    start = datetime.date(2026, 1, 1)
    return [
        PeriodInput(sequence=i, start=start, end=start, sold=D(sold), used=D(u), closed=i < closed)
        for i, u in enumerate(used)
    ]


def test_monthly_periods_anchor_on_the_start_day_without_drift():
    bounds = [
        period_bounds(start_date=datetime.date(2026, 1, 31), period="month", sequence=k) for k in range(3)
    ]
    assert bounds == [
        (datetime.date(2026, 1, 31), datetime.date(2026, 2, 27)),
        (datetime.date(2026, 2, 28), datetime.date(2026, 3, 30)),
        (datetime.date(2026, 3, 31), datetime.date(2026, 4, 29)),
    ]


def test_quarter_and_year_periods_and_the_end_date_cuts_the_last_one():
    start = datetime.date(2026, 1, 1)
    assert period_bounds(start_date=start, period="quarter", sequence=1) == (
        datetime.date(2026, 4, 1),
        datetime.date(2026, 6, 30),
    )
    assert period_bounds(
        start_date=start, period="year", sequence=0, end_date=datetime.date(2026, 8, 15)
    ) == (
        start,
        datetime.date(2026, 8, 15),
    )


def test_period_containing_a_day_at_the_boundaries():
    start = datetime.date(2026, 1, 1)
    assert period_sequence_on(start_date=start, period="month", day=datetime.date(2025, 12, 31)) is None
    assert period_sequence_on(start_date=start, period="month", day=datetime.date(2026, 1, 31)) == 0
    assert period_sequence_on(start_date=start, period="month", day=datetime.date(2026, 2, 1)) == 1
    assert period_sequence_on(start_date=start, period="quarter", day=datetime.date(2026, 12, 31)) == 3


def test_no_rollover_expires_every_unused_hour():
    figures = compute_ledger(periods("4", "0"), rollover="none", cap=None, expiry_periods=None)
    assert [(f.rolled_over, f.used, f.expired, f.overage) for f in figures] == [
        (D("0"), D("4"), D("6"), D("0")),
        (D("0"), D("0"), D("10"), D("0")),
    ]


def test_capped_rollover_with_expiry_takes_the_oldest_hours_first_and_expires_them_first():
    # Jan: 4 used, 6 roll over. Feb: 3 used from January's 6 (oldest first); January's last 3
    # expire at February's close (expiry 1 period) and February's 10 are capped at 8 (2 expire).
    # Mar: 8 + 10 available, 20 used → 2 h overage. Apr: no work, still open.
    figures = compute_ledger(
        periods("4", "3", "20", "0", closed=3), rollover="capped", cap=D("8"), expiry_periods=1
    )
    rows = [(f.sold, f.rolled_over, f.used, f.expired, f.overage, f.balance) for f in figures]
    assert rows == [
        (D("10"), D("0"), D("4"), D("0"), D("0"), D("6")),
        (D("10"), D("6"), D("3"), D("5"), D("0"), D("8")),
        (D("10"), D("8"), D("20"), D("0"), D("2"), D("0")),
        (D("10"), D("0"), D("0"), D("0"), D("0"), D("10")),
    ]


def test_unlimited_rollover_keeps_every_hour():
    figures = compute_ledger(periods("0", "5", "0"), rollover="unlimited", cap=None, expiry_periods=None)
    assert [f.balance for f in figures] == [D("10"), D("15"), D("25")]
    assert all(f.expired == 0 for f in figures)
