"""Contract writes: create, change, cancel, and the renewal that opens and closes periods
(`contracts.renewal`, re-exported here: other apps import from `contracts.services`).

Locks: the contract row first (it serialises renewals of one contract, so two beat runs at once
create one period; the unique (contract, start) constraint is the database's guarantee), then
the house order: order → order lines → invoice → timesheet lines (taken by the sales and
invoicing services this calls).
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from audit import services as audit
from core.errors import ConflictError, DomainError
from core.models import User
from core.money import quantize_money, quantize_qty, to_decimal
from sales.models import Customer, Product, UomCategory

from .models import Contract
from .renewal import RenewResult, contract_renew, contracts_renew

# Fields fixed once the first period exists: the past periods were sold and rolled over by them.
FIXED_AFTER_START = (
    "customer",
    "product",
    "period",
    "start_date",
    "rollover",
    "rollover_cap_hours",
    "rollover_expiry_periods",
)
EDITABLE_FIELDS = (
    *FIXED_AFTER_START,
    "hours_per_period",
    "end_date",
    "overage",
    "overage_rate",
    "salesperson",
)
__all__ = [
    "EDITABLE_FIELDS",
    "FIXED_AFTER_START",
    "RenewResult",
    "contract_cancel",
    "contract_create",
    "contract_renew",
    "contract_update",
    "contract_validate",
    "contracts_renew",
]


# --- validation ------------------------------------------------------------------------------


def _decimal(value, *, field: str, allow_none: bool = False) -> Decimal | None:
    if value in (None, "") and allow_none:
        return None
    try:
        number = to_decimal(value)
    except (TypeError, InvalidOperation, ValueError):
        raise DomainError("Enter a number.", field=field) from None
    if not number.is_finite():
        raise DomainError("Enter a number.", field=field)
    return number


def _hours(value, *, field: str, allow_none: bool = False, allow_zero: bool = False) -> Decimal | None:
    number = _decimal(value, field=field, allow_none=allow_none)
    if number is None:
        return None
    if number < 0 or (number == 0 and not allow_zero):
        raise DomainError(
            "Enter a number of hours above 0." if not allow_zero else "The hours cannot be negative.",
            field=field,
        )
    if number != quantize_qty(number):
        raise DomainError("Use at most two decimals for the hours.", field=field)
    return number


def contract_validate(values: dict) -> dict:
    """Check and normalise the contract's fields (DomainError on the field at fault)."""
    if values.get("customer") is None:
        raise DomainError("Choose a customer.", field="customer")
    product = values.get("product")
    if product is None:
        raise DomainError("Choose a product.", field="product")
    if (
        product.invoice_policy != Product.InvoicePolicy.PREPAID
        or product.uom.category.kind != UomCategory.Kind.TIME
    ):
        raise DomainError("A contract sells a prepaid product sold in a time unit.", field="product")
    values["hours_per_period"] = _hours(values.get("hours_per_period"), field="hours_per_period")
    if values.get("period") not in Contract.Period.values:
        raise DomainError("Choose month, quarter or year.", field="period")
    if not isinstance(values.get("start_date"), datetime.date):
        raise DomainError("Enter the start date.", field="start_date")
    end_date = values.get("end_date")
    if end_date is not None and end_date < values["start_date"]:
        raise DomainError("The end date is before the start date.", field="end_date")
    rollover = values.get("rollover")
    if rollover not in Contract.Rollover.values:
        raise DomainError("Choose none, capped or unlimited.", field="rollover")
    cap = _hours(
        values.get("rollover_cap_hours"), field="rollover_cap_hours", allow_none=True, allow_zero=True
    )
    if rollover == Contract.Rollover.CAPPED and cap is None:
        raise DomainError("Enter the most hours that roll over.", field="rollover_cap_hours")
    values["rollover_cap_hours"] = cap if rollover == Contract.Rollover.CAPPED else None
    expiry = values.get("rollover_expiry_periods")
    if expiry in ("", None) or rollover == Contract.Rollover.NONE:
        values["rollover_expiry_periods"] = None
    else:
        try:
            expiry = int(expiry)
        except (TypeError, ValueError):
            raise DomainError("Enter a whole number of periods.", field="rollover_expiry_periods") from None
        if expiry < 1:
            raise DomainError("Rolled-over hours last at least one period.", field="rollover_expiry_periods")
        values["rollover_expiry_periods"] = expiry
    if values.get("overage") not in Contract.Overage.values:
        raise DomainError("Choose rate or upsell.", field="overage")
    rate = _decimal(values.get("overage_rate"), field="overage_rate", allow_none=True)
    if rate is not None and rate < 0:
        raise DomainError("The hourly rate cannot be negative.", field="overage_rate")
    if values["overage"] == Contract.Overage.RATE and rate is None:
        raise DomainError("Enter the hourly rate of the hours past the balance.", field="overage_rate")
    values["overage_rate"] = None if rate is None else quantize_money(rate)
    return values


# --- create / change / cancel ----------------------------------------------------------------


def contract_create(
    *,
    user: User | None,
    customer: Customer,
    product: Product,
    hours_per_period,
    start_date: datetime.date,
    period: str = Contract.Period.MONTH,
    end_date: datetime.date | None = None,
    rollover: str = Contract.Rollover.NONE,
    rollover_cap_hours=None,
    rollover_expiry_periods=None,
    overage: str = Contract.Overage.UPSELL,
    overage_rate=None,
    salesperson: User | None = None,
) -> Contract:
    """Create a contract; when it has started, its periods up to today are opened at once."""
    values = contract_validate(
        {
            "customer": customer,
            "product": product,
            "hours_per_period": hours_per_period,
            "period": period,
            "start_date": start_date,
            "end_date": end_date,
            "rollover": rollover,
            "rollover_cap_hours": rollover_cap_hours,
            "rollover_expiry_periods": rollover_expiry_periods,
            "overage": overage,
            "overage_rate": overage_rate,
        }
    )
    with transaction.atomic():
        contract = Contract.objects.create(
            salesperson=salesperson or (user if getattr(user, "is_authenticated", False) else None), **values
        )
        audit.record(actor=user, action="contract.create", obj=contract, customer=customer.pk)
        contract_renew(contract=contract, day=timezone.localdate(), user=user)
        contract.refresh_from_db()
    return contract


def contract_update(*, contract: Contract, user: User | None, **fields) -> Contract:
    """Change a contract. Its customer, product, period and rollover rules are fixed once a
    period exists (ConflictError); hours per period apply from the next period on."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"These fields cannot be changed: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        # The related rows come along (not locked) so the audit trail names them without a query.
        locked = (
            Contract.objects.select_for_update(of=("self",))
            .select_related("customer", "product", "salesperson")
            .get(pk=contract.pk)
        )
        if locked.state != Contract.State.ACTIVE:
            raise ConflictError(f"{locked} is {locked.get_state_display().lower()}: it cannot change.")
        last = locked.periods.order_by("-sequence").first()
        changed = {name for name, value in fields.items() if getattr(locked, name) != value}
        fixed = sorted(changed & set(FIXED_AFTER_START))
        if last is not None and fixed:
            raise ConflictError(
                f"The {fixed[0].replace('_', ' ')} of a running contract cannot change; end it and "
                "start a new contract.",
                field=fixed[0],
            )
        before = audit.snapshot(locked, EDITABLE_FIELDS)
        values = {name: getattr(locked, name) for name in EDITABLE_FIELDS}
        values.update(fields)
        salesperson = values.pop("salesperson")
        values = contract_validate(values)
        if last is not None and values["end_date"] is not None and values["end_date"] < last.end:
            raise DomainError(
                f"The current period runs until {last.end}; the end date cannot be earlier "
                "(cancel the contract to stop renewals).",
                field="end_date",
            )
        for name, value in values.items():
            setattr(locked, name, value)
        locked.salesperson = salesperson
        locked.save()
        audit.record(
            actor=user,
            action="contract.update",
            obj=locked,
            changes=audit.diff(before, audit.snapshot(locked, EDITABLE_FIELDS)),
        )
        contract_renew(contract=locked, day=timezone.localdate(), user=user)
    contract.refresh_from_db()
    return contract


def contract_cancel(*, contract: Contract, user: User | None) -> Contract:
    """Stop renewals. The current period (already sold and invoiced) runs to its end and is
    closed as usual. ConflictError unless the contract is active."""
    with transaction.atomic():
        locked = Contract.objects.select_for_update().get(pk=contract.pk)
        if locked.state != Contract.State.ACTIVE:
            raise ConflictError(
                f"{locked} is {locked.get_state_display().lower()}: it cannot be cancelled.",
                code="contract_state",
            )
        before = audit.snapshot(locked, ("state", "cancelled_at"))
        locked.state = Contract.State.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.save(update_fields=["state", "cancelled_at", "updated_at"])
        changes = audit.diff(before, audit.snapshot(locked, ("state", "cancelled_at")))
        audit.record(actor=user, action="contract.cancel", obj=locked, changes=changes)
    contract.refresh_from_db()
    return contract
