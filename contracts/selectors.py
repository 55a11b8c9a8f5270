"""Contract reads: visibility, hours used per period, the ledger of each contract."""

from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from core import policy
from core.money import ZERO
from sales.selectors import portal_customers
from timesheets.models import BILLED_HOURS, TimesheetLine

from .ledger import PeriodFigures, PeriodInput, compute_ledger
from .models import Contract, ContractPeriod

# What consumes prepaid hours: the billed duration of each timesheet line.
HOURS_FIELD = BILLED_HOURS


def contracts_visible_to(user) -> QuerySet[Contract]:
    """Staff see every contract; a portal contact the contracts of their own customers."""
    qs = Contract.objects.select_related("customer", "product")
    if policy.is_staff_member(user):
        return qs
    return qs.filter(customer__in=portal_customers(user))


def contract_hours_up_to(*, contract: Contract, days) -> list[Decimal]:
    """Hours logged on the contract's order lines dated up to each of `days` (one query)."""
    if not days:
        return []
    line_ids = ContractPeriod.objects.filter(contract=contract, order_line__isnull=False).values(
        "order_line_id"
    )
    sums = TimesheetLine.objects.filter(sale_line_id__in=line_ids).aggregate(
        **{f"d{i}": Sum(HOURS_FIELD, filter=Q(date__lte=day)) for i, day in enumerate(days)}
    )
    return [sums[f"d{i}"] or ZERO for i in range(len(days))]


def period_inputs(*, contract: Contract, periods: list[ContractPeriod]) -> list[PeriodInput]:
    """Each period's use: stored when closed; for an open period, the hours dated up to its end
    not already counted by an earlier period (time logged late on a closed period's dates counts
    toward the next close)."""
    open_periods = [p for p in periods if p.closed_at is None]
    cumulative = dict(
        zip(
            [p.pk for p in open_periods],
            contract_hours_up_to(contract=contract, days=[p.end for p in open_periods]),
            strict=True,
        )
    )
    counted = ZERO
    inputs = []
    for period in periods:
        used = period.used if period.closed_at else max(ZERO, cumulative[period.pk] - counted)
        counted += used
        inputs.append(
            PeriodInput(
                sequence=period.sequence,
                start=period.start,
                end=period.end,
                sold=period.sold,
                used=used,
                closed=period.closed_at is not None,
                order_line_id=period.order_line_id,
            )
        )
    return inputs


def contract_ledger(
    *, contract: Contract, periods: list[ContractPeriod] | None = None
) -> list[PeriodFigures]:
    """Sold / rolled over / used / expired / overage hours of every period, oldest first."""
    if periods is None:
        periods = list(contract.periods.order_by("sequence"))
    return compute_ledger(
        period_inputs(contract=contract, periods=periods),
        rollover=contract.rollover,
        cap=contract.rollover_cap_hours,
        expiry_periods=contract.rollover_expiry_periods,
    )


def contract_balance(*, ledger: list[PeriodFigures]) -> Decimal:
    """Hours still available now: the last period's balance, minus its overage so far."""
    if not ledger:
        return ZERO
    return ledger[-1].balance - ledger[-1].overage


def contract_current_period(*, contract: Contract) -> ContractPeriod | None:
    return contract.periods.filter(closed_at__isnull=True).order_by("-sequence").first()


def contracts_due(*, day) -> QuerySet[Contract]:
    """Contracts the renewal job must look at on `day`: active ones that have started, and any
    with a period that ended before `day` and is not closed yet."""
    return Contract.objects.filter(
        Q(state=Contract.State.ACTIVE, start_date__lte=day)
        | Q(periods__closed_at__isnull=True, periods__end__lt=day)
    ).distinct()
