"""The renewal of contracts: each period start opens the period (a confirmed order of its hours
and its invoice in advance) and closes the periods that ended (overage billed on the order or
flagged as an upsell activity, leftovers rolled over or expired). The beat job and
`manage.py renew_contracts` run `contracts_renew`; creating or re-starting a contract runs
`contract_renew` at once (`contracts.services`).

Locks: the contract row first (it serialises renewals of one contract, so two beat runs at once
create one period; the unique (contract, start) constraint is the database's guarantee), then
the house order: order → order lines → invoice → timesheet lines (taken by the sales and
invoicing services this calls).
"""

import datetime
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from audit import services as audit
from core.errors import DomainError
from core.models import User
from invoicing.services import invoice_create_from_order
from sales.models import Order, Uom, UomCategory
from sales.selectors import uom_reference
from sales.services import (
    order_confirm,
    order_create,
    order_line_add,
    order_line_set_delivered,
    order_lock,
    product_ensure_contract_overage,
)
from upsell.models import Activity
from upsell.services import activity_create

from .ledger import PeriodFigures, compute_ledger
from .models import Contract, ContractPeriod
from .periods import period_bounds
from .selectors import contracts_due, period_inputs

logger = logging.getLogger(__name__)


def _hours_uom() -> Uom:
    return uom_reference(kind=UomCategory.Kind.TIME)


def _open_period(contract: Contract, sequence: int, user) -> ContractPeriod:
    """The period's confirmed order (one prepaid line of its hours) and its invoice in advance."""
    start, end = period_bounds(
        start_date=contract.start_date, period=contract.period, sequence=sequence, end_date=contract.end_date
    )
    product = contract.product
    order = order_create(
        customer=contract.customer,
        user=user,
        salesperson=contract.salesperson,
        order_date=start,
        client_reference=f"Contract #{contract.pk}",
        note=f"Contract #{contract.pk}, period {start:%Y-%m-%d} – {end:%Y-%m-%d}.",
        lines=[
            {
                "product": product,
                "quantity": contract.hours_per_period,
                "uom": _hours_uom(),
                "description": f"{product.name} – {start:%Y-%m-%d} to {end:%Y-%m-%d}",
            }
        ],
    )
    order_confirm(order=order, user=user)
    invoice = invoice_create_from_order(order=order, user=user)
    period = ContractPeriod.objects.create(
        contract=contract,
        sequence=sequence,
        start=start,
        end=end,
        sold=contract.hours_per_period,
        order_line=order.lines.get(),
        invoice=invoice,
    )
    audit.record(actor=user, action="contract.period_open", obj=contract, start=str(start), order=order.name)
    return period


def _close_period(contract: Contract, period: ContractPeriod, figures: PeriodFigures, user) -> None:
    """Store the period's figures; bill or flag its overage; lock its order (no more upsell flags
    or ticket defaults on it)."""
    order = Order.objects.get(pk=period.order_line.order_id)
    if figures.overage > 0 and contract.overage == Contract.Overage.RATE and order.state == Order.State.SALE:
        line = order_line_add(
            order=order,
            product=product_ensure_contract_overage(),
            user=user,
            quantity=figures.overage,
            uom=_hours_uom(),
            price_unit=contract.overage_rate,
            tax=contract.product.tax,
            description=f"Hours past the contract balance, {period.start:%Y-%m-%d} to {period.end:%Y-%m-%d}",
        )
        order_line_set_delivered(line=line, quantity=figures.overage, user=user)
        invoice_create_from_order(order=order, user=user)
        period.overage_line = line
    elif figures.overage > 0:
        activity_create(
            user=contract.salesperson,
            kind=Activity.Kind.UPSELL,
            summary=f"{contract.customer}: {figures.overage} h past the contract balance",
            note=f"Contract #{contract.pk}, period {period.start} – {period.end}: offer a bigger block.",
            due_date=period.end + datetime.timedelta(days=1),
            order=order,
            order_line=period.order_line,
            dedupe_key=f"contract-overage:{period.pk}",
        )
    if order.state == Order.State.SALE:
        order_lock(order=order, user=user)
    period.used = figures.used
    period.rolled_over = figures.rolled_over
    period.expired = figures.expired
    period.overage = figures.overage
    period.closed_at = timezone.now()
    period.save()
    audit.record(
        actor=user,
        action="contract.period_close",
        obj=contract,
        start=str(period.start),
        used=str(figures.used),
        expired=str(figures.expired),
        overage=str(figures.overage),
    )


def _close_due_periods(contract: Contract, day: datetime.date, user) -> int:
    """Close, oldest first, every open period that ended before `day`."""
    closed = 0
    while True:
        periods = list(contract.periods.select_related("order_line").order_by("sequence"))
        due = next((p for p in periods if p.closed_at is None and p.end < day), None)
        if due is None:
            return closed
        inputs = period_inputs(contract=contract, periods=[p for p in periods if p.sequence <= due.sequence])
        inputs[-1].closed = True  # its leftovers now roll over or expire
        figures = compute_ledger(
            inputs,
            rollover=contract.rollover,
            cap=contract.rollover_cap_hours,
            expiry_periods=contract.rollover_expiry_periods,
        )[-1]
        _close_period(contract, due, figures, user)
        closed += 1


@dataclass
class RenewResult:
    opened: int = 0
    closed: int = 0


def contract_renew(*, contract: Contract, day: datetime.date, user: User | None = None) -> RenewResult:
    """Run the period start for `day`: close the periods that ended before it (overage billed or
    flagged, leftovers rolled over or expired) and open every period that started by then
    (confirmed order + invoice in advance). Idempotent: a second run for the same day does nothing."""
    result = RenewResult()
    with transaction.atomic():
        locked = (
            Contract.objects.select_for_update()
            .select_related("customer", "product__uom__category")
            .get(pk=contract.pk)
        )
        result.closed += _close_due_periods(locked, day, user)
        while locked.state == Contract.State.ACTIVE:
            sequence = locked.periods.count()
            start, _ = period_bounds(
                start_date=locked.start_date,
                period=locked.period,
                sequence=sequence,
                end_date=locked.end_date,
            )
            if start > day or (locked.end_date is not None and start > locked.end_date):
                break
            _open_period(locked, sequence, user)
            result.opened += 1
            result.closed += _close_due_periods(locked, day, user)
        if (
            locked.state == Contract.State.ACTIVE
            and locked.end_date is not None
            and locked.end_date < day
            and not locked.periods.filter(closed_at__isnull=True).exists()
        ):
            locked.state = Contract.State.ENDED
            locked.save(update_fields=["state", "updated_at"])
            audit.record(actor=user, action="contract.end", obj=locked)
    return result


def contracts_renew(*, day: datetime.date, user: User | None = None) -> RenewResult:
    """The beat job (and `manage.py renew_contracts --date`): renew every contract due on `day`,
    each in its own transaction; a contract that fails is logged and retried on the next run."""
    total = RenewResult()
    for contract in contracts_due(day=day).order_by("pk"):
        try:
            result = contract_renew(contract=contract, day=day, user=user)
        except DomainError:
            logger.exception("Renewal of contract #%s on %s failed", contract.pk, day)
            continue
        total.opened += result.opened
        total.closed += result.closed
    return total
