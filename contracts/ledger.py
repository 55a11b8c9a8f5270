"""The hours ledger of a contract: pure arithmetic over its periods, no database.

Rules (SPEC "Contracts: recurring hour blocks", README "Contracts"):
- each period adds its sold hours as a new bucket; the hours used in a period are taken from the
  buckets oldest first (rolled-over hours before the period's own);
- use past every bucket is the period's overage (billed or flagged at its close; it is not carried
  as a debt into the next period);
- at a period's close the hours left roll over: `none` → all expire; `unlimited` → all roll over;
  `capped` → at most the cap rolls over, the oldest hours expire first; with an expiry of N
  periods, hours sold in period k expire at the close of period k + N at the latest.
Figures of a period that is not closed yet are "so far": nothing has expired yet, and its
overage is what it would be if the period closed now.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.money import ZERO


@dataclass
class PeriodInput:
    sequence: int
    start: date
    end: date
    sold: Decimal
    used: Decimal
    closed: bool
    order_line_id: int | None = None


@dataclass
class PeriodFigures:
    sequence: int
    start: date
    end: date
    order_line_id: int | None
    sold: Decimal
    rolled_over: Decimal
    used: Decimal
    expired: Decimal
    overage: Decimal
    closed: bool
    # Hours still available after this period's use (and, when closed, what rolls over).
    balance: Decimal


def compute_ledger(
    periods: list[PeriodInput], *, rollover: str, cap: Decimal | None, expiry_periods: int | None
) -> list[PeriodFigures]:
    buckets: list[list] = []  # [origin sequence, hours left], oldest first
    figures = []
    for period in periods:
        rolled_over = sum((hours for _, hours in buckets), ZERO)
        buckets.append([period.sequence, period.sold])
        need = period.used
        for bucket in buckets:
            take = min(bucket[1], need)
            bucket[1] -= take
            need -= take
        buckets = [bucket for bucket in buckets if bucket[1] > 0]
        expired = ZERO
        if period.closed:
            buckets, expired = _close(buckets, period.sequence, rollover, cap, expiry_periods)
        figures.append(
            PeriodFigures(
                sequence=period.sequence,
                start=period.start,
                end=period.end,
                order_line_id=period.order_line_id,
                sold=period.sold,
                rolled_over=rolled_over,
                used=period.used,
                expired=expired,
                overage=need,
                closed=period.closed,
                balance=sum((hours for _, hours in buckets), ZERO),
            )
        )
    return figures


def _close(buckets, sequence, rollover, cap, expiry_periods) -> tuple[list, Decimal]:
    """The buckets that roll over past the close of period `sequence`, and the hours that expire."""
    if rollover == "none":
        return [], sum((hours for _, hours in buckets), ZERO)
    expired = ZERO
    kept = []
    for origin, hours in buckets:
        if expiry_periods is not None and sequence - origin >= expiry_periods:
            expired += hours
        else:
            kept.append([origin, hours])
    if rollover == "capped" and cap is not None:
        excess = sum((hours for _, hours in kept), ZERO) - cap
        for bucket in kept:  # oldest first
            if excess <= 0:
                break
            cut = min(bucket[1], excess)
            bucket[1] -= cut
            excess -= cut
            expired += cut
        kept = [bucket for bucket in kept if bucket[1] > 0]
    return kept, expired
