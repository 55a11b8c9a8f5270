"""Invoicing writes. CONTRACT: other apps code against these signatures.

Locking order (shared with sales and timesheets, taken through `core.locks`): order → order
lines → invoice → timesheet lines. Every service is one transaction and records an audit event.
Invoice states move through `states.INVOICE_TRANSITIONS`; credit notes live in `credit_notes`
(`invoice_credit_note` is re-exported here).
"""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from audit import services as audit
from core.errors import ConflictError, DomainError
from core.locks import lock_billing
from core.models import User
from core.money import ZERO, line_subtotal, quantize_money, tax_amount, to_decimal
from sales.models import Order, OrderLine
from sales.services import order_lines_recompute
from timesheets.models import INVOICEABLE_APPROVAL_STATES, TimesheetLine

from .credit_notes import invoice_credit_note  # noqa: F401 - part of this module's contract
from .models import Invoice, InvoiceLine, Payment
from .rates import members_filter
from .selectors import invoice_plan
from .states import (
    check_transition,
    invoice_transition,
    lock_invoice,
    lock_invoice_action,
    payment_state,
    post,
    refresh,
    sale_line_ids,
)


class Method:
    REGULAR = "regular"
    DOWN_PAYMENT_PERCENT = "down_payment_percent"
    DOWN_PAYMENT_FIXED = "down_payment_fixed"
    CHOICES = [
        (REGULAR, "Regular invoice"),
        (DOWN_PAYMENT_PERCENT, "Down payment (percentage)"),
        (DOWN_PAYMENT_FIXED, "Down payment (fixed amount)"),
    ]


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
        locked = lock_billing(
            orders=Order.objects.select_related("customer").filter(pk=order.pk),
            order_lines=OrderLine.objects.filter(order_id=order.pk).only("pk"),
        ).orders[0]
        if locked.state in (Order.State.SALE, Order.State.DONE):
            # Fresh figures under the lock: a concurrent invoice committed meanwhile is counted.
            order_lines_recompute(line_ids=[], order_ids=[locked.pk])
        plan = invoice_plan(
            order=locked, method=method, amount=amount, period_start=period_start, period_end=period_end
        )
        invoice = Invoice.objects.create(
            kind=Invoice.Kind.INVOICE,
            customer=locked.customer,
            order=locked,
            created_by=user if getattr(user, "is_authenticated", False) else None,
            period_start=period_start if plan.timesheet_sale_line_ids else None,
            period_end=period_end if plan.timesheet_sale_line_ids else None,
            amount_untaxed=plan.amount_untaxed,
            amount_tax=plan.amount_tax,
            amount_total=plan.amount_total,
        )
        new_lines = OrderLine.objects.bulk_create(
            [OrderLine(**values) for values in plan.new_downpayment_lines]
        )
        created_lines = InvoiceLine.objects.bulk_create(
            [
                InvoiceLine(
                    invoice=invoice,
                    sequence=(i + 1) * 10,
                    display_type=planned.display_type,
                    sale_line=(
                        new_lines[planned.new_downpayment_index]
                        if planned.new_downpayment_index is not None
                        else planned.sale_line
                    ),
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
                for i, planned in enumerate(plan.lines)
            ]
        )
        linked = 0
        if plan.timesheet_sale_line_ids:
            # One UPDATE whatever the number of timesheet lines.
            rows = TimesheetLine.objects.filter(
                sale_line_id__in=plan.timesheet_sale_line_ids,
                invoice__isnull=True,
                approval_state__in=INVOICEABLE_APPROVAL_STATES,
            )
            if period_start:
                rows = rows.filter(date__gte=period_start)
            if period_end:
                rows = rows.filter(date__lte=period_end)
            lock_billing(timesheet_lines=rows.only("pk"))  # house order, ids sorted
            now = timezone.now()
            for planned, created in zip(plan.lines, created_lines, strict=True):
                if planned.timesheet_members:  # employee rates: each line bills its own timesheets
                    linked += rows.filter(
                        members_filter(planned.timesheet_members), sale_line=planned.sale_line
                    ).update(invoice=invoice, invoice_line=created, updated_at=now)
            linked += rows.filter(invoice__isnull=True).update(invoice=invoice, updated_at=now)
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


INVOICE_DRAFT_FIELDS = ("invoice_date", "due_date")
# What the audit trail records of a new invoice, of a line edit, of a payment.
CREATE_AUDIT_FIELDS = ("state", "amount_untaxed", "amount_tax", "amount_total")
TOTAL_AUDIT_FIELDS = ("amount_untaxed", "amount_tax", "amount_total")
PAYMENT_AUDIT_FIELDS = ("amount_paid", "payment_state")


def invoice_update(*, invoice: Invoice, user: User, **fields) -> Invoice:
    """Set the invoice date and/or due date of a draft (posted invoices are frozen: ConflictError)."""
    unknown = set(fields) - set(INVOICE_DRAFT_FIELDS)
    if unknown:
        raise DomainError(f"Unknown invoice field(s): {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        locked = lock_invoice(invoice)
        changes = {name: value for name, value in fields.items() if getattr(locked, name) != value}
        if not changes:
            return invoice
        if locked.state != Invoice.State.DRAFT:
            raise ConflictError(
                f"Invoice {locked} is {locked.get_state_display().lower()}: only drafts can be changed.",
                code="invoice_state",
            )
        before = audit.snapshot(locked, changes)
        for name, value in changes.items():
            setattr(locked, name, value)
        if locked.invoice_date and locked.due_date and locked.due_date < locked.invoice_date:
            raise DomainError("The due date is before the invoice date.", field="due_date")
        locked.save(update_fields=[*changes, "updated_at"])
        audit.record(
            actor=user,
            action="invoice.update",
            obj=locked,
            changes=audit.diff(before, audit.snapshot(locked, changes)),
        )
    return refresh(invoice, locked)


# What a line billed from the order may change: its quantity and unit come from the order (and
# its timesheets), so they stay; wording and pricing may be adjusted before posting.
ORDER_LINE_EDITABLE = ("description", "price_unit", "discount", "tax")
FREE_LINE_FIELDS = ("description", "quantity", "uom", "price_unit", "discount", "tax")


def _invoice_line_values(values: dict, *, index: int, allowed: tuple[str, ...]) -> dict:
    """Validate one line's input; errors name the line (`lines[2].quantity`)."""
    field = f"lines[{index}]"
    unknown = set(values) - set(allowed) - {"id"}
    if unknown:
        raise DomainError(
            f"Line {index + 1}: {', '.join(sorted(unknown))} cannot be changed on a line billed from "
            "the order; change the order instead, or remove the line.",
            field=field,
        )
    clean = {}
    for name in allowed:
        if name not in values:
            continue
        value = values[name]
        if name in ("quantity", "price_unit", "discount"):
            try:
                value = to_decimal(value)
            except (TypeError, ArithmeticError, ValueError):
                raise DomainError(f"Line {index + 1}: enter a number.", field=f"{field}.{name}") from None
            if name == "quantity" and value <= 0:
                raise DomainError(
                    f"Line {index + 1}: the quantity must be positive.", field=f"{field}.{name}"
                )
            if name == "price_unit" and value < 0:
                raise DomainError(
                    f"Line {index + 1}: the unit price cannot be negative (issue a credit note instead).",
                    field=f"{field}.{name}",
                )
            if name == "discount" and not (0 <= value <= 100):
                raise DomainError(f"Line {index + 1}: a discount is 0 to 100 %.", field=f"{field}.{name}")
        if name == "description":
            value = (value or "").strip()[:500]
        clean[name] = value
    return clean


def invoice_lines_update(*, invoice: Invoice, user: User, lines: list[dict]) -> Invoice:
    """Replace the product lines of a draft invoice.

    Each dict either names an existing line (`id`) — lines billed from the order may change
    description, price, discount and tax; free lines anything — or adds a free line (no `id`;
    description and quantity required). Lines left out are removed; removing a line billed from
    the order releases its timesheet lines. Section lines stay. At least one line must remain.
    """
    with transaction.atomic():
        # Order first, as cancel and credit do: an edit and a cancel of one draft queue, never
        # deadlock.
        _, locked = lock_invoice_action(invoice, order_lines=True, timesheet_lines=True)
        if locked.state != Invoice.State.DRAFT:
            raise ConflictError(
                f"Invoice {locked} is {locked.get_state_display().lower()}: only drafts can be changed.",
                code="invoice_state",
            )
        existing = {
            line.pk: line
            for line in locked.lines.select_related("sale_line", "tax", "uom").filter(
                display_type=InvoiceLine.DisplayType.PRODUCT
            )
        }
        if not lines:
            raise DomainError("An invoice needs at least one line; cancel the draft instead.", field="lines")
        before = {**_lines_snapshot(existing.values()), **audit.snapshot(locked, TOTAL_AUDIT_FIELDS)}
        kept, new_lines = {}, []
        for index, values in enumerate(lines):
            line_id = values.get("id")
            if line_id is None:
                clean = _invoice_line_values(values, index=index, allowed=FREE_LINE_FIELDS)
                if not clean.get("description") or "quantity" not in clean:
                    raise DomainError(
                        f"Line {index + 1}: a new line needs a description and a quantity.",
                        field=f"lines[{index}]",
                    )
                new_lines.append(clean)
                continue
            line = existing.get(line_id)
            if line is None or line_id in kept:
                raise DomainError(
                    f"Line {index + 1}: no such line on this invoice.", field=f"lines[{index}].id"
                )
            allowed = ORDER_LINE_EDITABLE if line.sale_line_id else FREE_LINE_FIELDS
            # A client that read the invoice sends fixed fields back unchanged: only changes count.
            values = {k: v for k, v in values.items() if k in allowed or getattr(line, k, None) != v}
            for name, value in _invoice_line_values(values, index=index, allowed=allowed).items():
                setattr(line, name, value)
            kept[line_id] = line
        removed = [line for pk, line in existing.items() if pk not in kept]
        released_sale_lines = [line.sale_line_id for line in removed if line.sale_line_id]
        if released_sale_lines:
            TimesheetLine.objects.filter(invoice=locked, sale_line_id__in=released_sale_lines).update(
                invoice=None, invoice_line=None, updated_at=timezone.now()
            )
        InvoiceLine.objects.filter(pk__in=[line.pk for line in removed]).delete()
        next_sequence = max((line.sequence for line in existing.values()), default=0) + 10
        for offset, values in enumerate(new_lines):
            kept[f"new{offset}"] = InvoiceLine(
                invoice=locked, sequence=next_sequence + offset * 10, discount=ZERO, **values
            )
        for line in kept.values():
            line.tax_rate = line.tax.rate if line.tax else ZERO
            line.subtotal = line_subtotal(line.quantity, line.price_unit, line.discount)
            line.tax_amount = tax_amount(line.subtotal, line.tax_rate)
            line.total = line.subtotal + line.tax_amount
        # Bulk writes: the draft state was checked above under the invoice's row lock.
        InvoiceLine.objects.bulk_update(
            [line for line in kept.values() if line.pk],
            [*FREE_LINE_FIELDS, "tax_rate", "subtotal", "tax_amount", "total"],
        )
        InvoiceLine.objects.bulk_create([line for line in kept.values() if not line.pk])
        untaxed = sum((line.subtotal for line in kept.values()), ZERO)
        tax = sum((line.tax_amount for line in kept.values()), ZERO)
        Invoice.objects.filter(pk=locked.pk).update(
            amount_untaxed=untaxed, amount_tax=tax, amount_total=untaxed + tax, updated_at=timezone.now()
        )
        if locked.order_id:
            order_lines_recompute(line_ids=released_sale_lines, order_ids=[locked.order_id])
        locked.refresh_from_db()
        after = {**_lines_snapshot(kept.values()), **audit.snapshot(locked, TOTAL_AUDIT_FIELDS)}
        audit.record(
            actor=user,
            action="invoice.lines_update",
            obj=locked,
            changes=audit.diff(before, after),
            kept=len(kept) - len(new_lines),
            added=len(new_lines),
            removed=len(removed),
        )
    return refresh(invoice, locked)


def _lines_snapshot(lines) -> dict:
    """Each product line's editable fields, keyed `line <sequence>.<field>` (the order shown)."""
    values = {}
    for line in lines:
        for name, value in audit.snapshot(line, [*FREE_LINE_FIELDS, "total"]).items():
            values[f"line {line.sequence}.{name}"] = value
    return values


def invoice_post(*, invoice: Invoice, user: User) -> Invoice:
    """draft → posted: gapless yearly number, dates, frozen. Sends `invoicing.signals.invoice_posted`."""
    with transaction.atomic():
        locked = lock_invoice(invoice)
        check_transition(locked, Invoice.State.POSTED)
        if not locked.lines.filter(display_type=InvoiceLine.DisplayType.PRODUCT).exists():
            raise DomainError("An invoice without lines cannot be posted.", code="empty_invoice")
        if locked.due_date and locked.invoice_date and locked.due_date < locked.invoice_date:
            raise DomainError("The due date is before the invoice date.", field="due_date")
        post(locked, user)
    return refresh(invoice, locked)


def invoice_cancel(*, invoice: Invoice, user: User) -> Invoice:
    """draft → cancel; releases its timesheet lines."""
    with transaction.atomic():
        _, locked = lock_invoice_action(invoice, order_lines=True, timesheet_lines=True)
        check_transition(locked, Invoice.State.CANCEL)
        released = TimesheetLine.objects.filter(invoice=locked).update(
            invoice=None, invoice_line=None, updated_at=timezone.now()
        )
        invoice_transition(
            invoice=locked, to=Invoice.State.CANCEL, user=user, timesheet_lines_released=released
        )
        order_lines_recompute(line_ids=sale_line_ids(locked))
    return refresh(invoice, locked)


def invoice_register_payment(
    *,
    invoice: Invoice,
    amount: Decimal,
    date: date,
    user: User,
    method: str = Payment.Method.BANK_TRANSFER,
    reference: str = "",
) -> Payment:
    """Record a payment on a posted invoice, or a refund on a posted credit note (what it still
    owes the customer); refuses more than the amount due."""
    try:
        value = to_decimal(amount)
    except (TypeError, ArithmeticError, ValueError):
        raise DomainError("Enter the amount as a number.", field="amount") from None
    if not value.is_finite() or value <= 0:
        raise DomainError("The amount must be more than 0.", field="amount")
    if value != quantize_money(value):
        raise DomainError("Use at most two decimals for the amount.", field="amount")
    if date is None:
        raise DomainError("Enter the payment date.", field="date")
    if method not in Payment.Method.values:
        raise DomainError("Choose a payment method.", field="method")
    with transaction.atomic():
        locked = lock_invoice(invoice)
        if locked.state != Invoice.State.POSTED:
            raise ConflictError(
                f"Invoice {locked} is {locked.get_state_display().lower()}: payments are registered on "
                "posted invoices only.",
                code="invoice_state",
            )
        due = locked.amount_due
        if value > due:
            raise DomainError(
                f"The amount ({value}) is more than the amount due ({max(due, ZERO)}).", field="amount"
            )
        before = audit.snapshot(locked, PAYMENT_AUDIT_FIELDS)
        payment = Payment.objects.create(
            invoice=locked,
            amount=value,
            date=date,
            method=method,
            reference=(reference or "")[:100],
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        locked.amount_paid = locked.amount_paid + value
        locked.payment_state = payment_state(locked)
        locked.save(update_fields=["amount_paid", "payment_state", "updated_at"])
        audit.record(
            actor=user,
            action="invoice.payment",
            obj=locked,
            changes=audit.diff(before, audit.snapshot(locked, PAYMENT_AUDIT_FIELDS)),
            amount=value,
            date=date,
            payment=payment.pk,
            method=method,
        )
    refresh(invoice, locked)
    return payment
