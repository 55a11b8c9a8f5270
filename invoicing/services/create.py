"""Creating a draft invoice from an order: the plan of `selectors.invoice_plan`, written.

Steps, in the house lock order: lock the order and its lines and refresh their figures; plan;
write the invoice, the new down-payment order lines and the invoice lines; lock and link the
timesheet lines billed; recompute the order; record the audit event.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from audit import services as audit
from core.locks import lock_billing
from core.models import User
from sales.models import Order, OrderLine
from sales.services import CONFIRMED_STATES, order_lines_recompute
from timesheets.models import INVOICEABLE_APPROVAL_STATES, TimesheetLine

from ..models import Invoice, InvoiceLine
from ..rates import members_filter
from ..selectors import InvoicePlan, Method, PlannedLine, invoice_plan

# What the audit trail records of a new invoice.
CREATE_AUDIT_FIELDS = ("state", "amount_untaxed", "amount_tax", "amount_total")


def invoice_create_from_order(
    *,
    order: Order,
    user: User,
    method: str = Method.REGULAR,
    amount: Decimal | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
) -> Invoice:
    """Create a draft invoice from a confirmed/locked order (SPEC Invoicing).

    ConflictError when the order is not confirmed; DomainError("... nothing to invoice ...")
    when there is nothing to invoice. Links billed timesheet lines (bulk). Row-locks the order,
    so two concurrent calls create one invoice.
    """
    with transaction.atomic():
        locked = _lock_order(order)
        plan = invoice_plan(
            order=locked, method=method, amount=amount, period_start=period_start, period_end=period_end
        )
        invoice = _write_invoice(plan, user=user)
        created_lines = _write_lines(invoice, plan)
        linked = _link_timesheet_lines(invoice, plan, created_lines)
        order_lines_recompute(line_ids=[], order_ids=[locked.pk])
        audit.record(
            actor=user,
            action="invoice.create",
            obj=invoice,
            changes=audit.diff({}, audit.snapshot(invoice, CREATE_AUDIT_FIELDS)),
            order=locked.name,
            method=method,
            timesheet_lines=linked,
        )
    return invoice


def _lock_order(order: Order) -> Order:
    """Row-lock the order and its lines; a confirmed order's figures are refreshed under the lock."""
    locked = lock_billing(
        orders=Order.objects.select_related("customer").filter(pk=order.pk),
        order_lines=OrderLine.objects.filter(order_id=order.pk).only("pk"),
    ).orders[0]
    if locked.state in CONFIRMED_STATES:
        # Fresh figures under the lock: a concurrent invoice committed meanwhile is counted.
        order_lines_recompute(line_ids=[], order_ids=[locked.pk])
    return locked


def _write_invoice(plan: InvoicePlan, *, user: User) -> Invoice:
    """The draft invoice row with the plan's totals (a billed period only when it bills time)."""
    bills_time = bool(plan.timesheet_sale_line_ids)
    return Invoice.objects.create(
        kind=Invoice.Kind.INVOICE,
        customer=plan.order.customer,
        order=plan.order,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        period_start=plan.period_start if bills_time else None,
        period_end=plan.period_end if bills_time else None,
        amount_untaxed=plan.amount_untaxed,
        amount_tax=plan.amount_tax,
        amount_total=plan.amount_total,
    )


def _write_lines(invoice: Invoice, plan: InvoicePlan) -> list[InvoiceLine]:
    """The plan's new down-payment order lines, then one invoice line per planned line (bulk)."""
    new_order_lines = OrderLine.objects.bulk_create(
        [OrderLine(**values) for values in plan.new_downpayment_lines]
    )
    return InvoiceLine.objects.bulk_create(
        [
            _invoice_line(invoice, planned, sequence=(i + 1) * 10, new_order_lines=new_order_lines)
            for i, planned in enumerate(plan.lines)
        ]
    )


def _invoice_line(
    invoice: Invoice, planned: PlannedLine, *, sequence: int, new_order_lines: list[OrderLine]
) -> InvoiceLine:
    sale_line = (
        new_order_lines[planned.new_downpayment_index]
        if planned.new_downpayment_index is not None
        else planned.sale_line
    )
    return InvoiceLine(
        invoice=invoice,
        sequence=sequence,
        display_type=planned.display_type,
        sale_line=sale_line,
        product=planned.product,
        description=planned.description[:500],
        quantity=planned.quantity,
        uom=planned.uom,
        price_unit=planned.price_unit,
        discount=planned.discount,
        tax=planned.tax,
        tax_rate=planned.tax_rate,
        subtotal=planned.subtotal,
        tax_amount=planned.tax_amount,
        total=planned.total,
        is_downpayment=planned.is_downpayment,
        period_start=planned.period_start,
        period_end=planned.period_end,
    )


def _link_timesheet_lines(invoice: Invoice, plan: InvoicePlan, created_lines: list[InvoiceLine]) -> int:
    """Link the not yet invoiced timesheet lines of the period billed; how many were linked."""
    if not plan.timesheet_sale_line_ids:
        return 0
    # One UPDATE whatever the number of timesheet lines.
    rows = TimesheetLine.objects.filter(
        sale_line_id__in=plan.timesheet_sale_line_ids,
        invoice__isnull=True,
        approval_state__in=INVOICEABLE_APPROVAL_STATES,
    )
    if plan.period_start:
        rows = rows.filter(date__gte=plan.period_start)
    if plan.period_end:
        rows = rows.filter(date__lte=plan.period_end)
    lock_billing(timesheet_lines=rows.only("pk"))  # house order, ids sorted
    now = timezone.now()
    linked = 0
    for planned, created in zip(plan.lines, created_lines, strict=True):
        if planned.timesheet_members:  # employee rates: each line bills its own timesheets
            linked += rows.filter(
                members_filter(planned.timesheet_members), sale_line=planned.sale_line
            ).update(invoice=invoice, invoice_line=created, updated_at=now)
    linked += rows.filter(invoice__isnull=True).update(invoice=invoice, updated_at=now)
    return linked
