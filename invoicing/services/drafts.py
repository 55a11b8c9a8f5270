"""Changing a draft invoice: its dates (`invoice_update`) and its lines (`invoice_lines_update`).

Posted invoices are frozen (a credit note corrects them); both services refuse anything but a
draft under the invoice's row lock.
"""

from django.db import transaction
from django.utils import timezone

from audit import services as audit
from core.errors import ConflictError, DomainError
from core.models import User
from core.money import ZERO, line_subtotal, tax_amount, to_decimal
from sales.services import order_lines_recompute
from timesheets.models import TimesheetLine

from ..models import Invoice, InvoiceLine
from ..states import lock_invoice, lock_invoice_action, refresh

INVOICE_DRAFT_FIELDS = ("invoice_date", "due_date")
# What the audit trail records of a line edit.
TOTAL_AUDIT_FIELDS = ("amount_untaxed", "amount_tax", "amount_total")
# What a line billed from the order may change: its quantity and unit come from the order (and
# its timesheets), so they stay; wording and pricing may be adjusted before posting.
ORDER_LINE_EDITABLE = ("description", "price_unit", "discount", "tax")
FREE_LINE_FIELDS = ("description", "quantity", "uom", "price_unit", "discount", "tax")


def _check_draft(invoice: Invoice) -> None:
    if invoice.state != Invoice.State.DRAFT:
        raise ConflictError(
            f"Invoice {invoice} is {invoice.get_state_display().lower()}: only drafts can be changed.",
            code="invoice_state",
        )


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
        _check_draft(locked)
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
            value = _line_number(name, value, index=index)
        if name == "description":
            value = (value or "").strip()[:500]
        clean[name] = value
    return clean


def _line_number(name: str, value, *, index: int):
    """A line's quantity (> 0), unit price (≥ 0) or discount (0 to 100 %), as a Decimal."""
    field = f"lines[{index}].{name}"
    try:
        value = to_decimal(value)
    except (TypeError, ArithmeticError, ValueError):
        raise DomainError(f"Line {index + 1}: enter a number.", field=field) from None
    if name == "quantity" and value <= 0:
        raise DomainError(f"Line {index + 1}: the quantity must be positive.", field=field)
    if name == "price_unit" and value < 0:
        raise DomainError(
            f"Line {index + 1}: the unit price cannot be negative (issue a credit note instead).",
            field=field,
        )
    if name == "discount" and not (0 <= value <= 100):
        raise DomainError(f"Line {index + 1}: a discount is 0 to 100 %.", field=field)
    return value


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
        _check_draft(locked)
        existing = {
            line.pk: line
            for line in locked.lines.select_related("sale_line", "tax", "uom").filter(
                display_type=InvoiceLine.DisplayType.PRODUCT
            )
        }
        if not lines:
            raise DomainError("An invoice needs at least one line; cancel the draft instead.", field="lines")
        before = {**_lines_snapshot(existing.values()), **audit.snapshot(locked, TOTAL_AUDIT_FIELDS)}
        kept, new_lines = _apply_line_input(existing, lines)
        removed = [line for pk, line in existing.items() if pk not in kept]
        released_sale_lines = _remove_lines(locked, removed)
        next_sequence = max((line.sequence for line in existing.values()), default=0) + 10
        for offset, values in enumerate(new_lines):
            kept[f"new{offset}"] = InvoiceLine(
                invoice=locked, sequence=next_sequence + offset * 10, discount=ZERO, **values
            )
        _write_lines_and_totals(locked, list(kept.values()))
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


def _apply_line_input(existing: dict, lines: list[dict]) -> tuple[dict, list[dict]]:
    """The existing lines kept (by id, their changes set on them) and the new free lines' values."""
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
            raise DomainError(f"Line {index + 1}: no such line on this invoice.", field=f"lines[{index}].id")
        allowed = ORDER_LINE_EDITABLE if line.sale_line_id else FREE_LINE_FIELDS
        # A client that read the invoice sends fixed fields back unchanged: only changes count.
        values = {k: v for k, v in values.items() if k in allowed or getattr(line, k, None) != v}
        for name, value in _invoice_line_values(values, index=index, allowed=allowed).items():
            setattr(line, name, value)
        kept[line_id] = line
    return kept, new_lines


def _remove_lines(invoice: Invoice, removed: list[InvoiceLine]) -> list[int]:
    """Delete the lines left out, releasing the timesheet lines of those billed from the order;
    returns the order lines released."""
    released_sale_lines = [line.sale_line_id for line in removed if line.sale_line_id]
    if released_sale_lines:
        TimesheetLine.objects.filter(invoice=invoice, sale_line_id__in=released_sale_lines).update(
            invoice=None, invoice_line=None, updated_at=timezone.now()
        )
    InvoiceLine.objects.filter(pk__in=[line.pk for line in removed]).delete()
    return released_sale_lines


def _write_lines_and_totals(invoice: Invoice, lines: list[InvoiceLine]) -> None:
    """Each line's figures from its quantity, price, discount and tax; the invoice's totals."""
    for line in lines:
        line.tax_rate = line.tax.rate if line.tax else ZERO
        line.subtotal = line_subtotal(line.quantity, line.price_unit, line.discount)
        line.tax_amount = tax_amount(line.subtotal, line.tax_rate)
        line.total = line.subtotal + line.tax_amount
    # Bulk writes: the draft state was checked under the invoice's row lock.
    InvoiceLine.objects.bulk_update(
        [line for line in lines if line.pk],
        [*FREE_LINE_FIELDS, "tax_rate", "subtotal", "tax_amount", "total"],
    )
    InvoiceLine.objects.bulk_create([line for line in lines if not line.pk])
    untaxed = sum((line.subtotal for line in lines), ZERO)
    tax = sum((line.tax_amount for line in lines), ZERO)
    Invoice.objects.filter(pk=invoice.pk).update(
        amount_untaxed=untaxed, amount_tax=tax, amount_total=untaxed + tax, updated_at=timezone.now()
    )


def _lines_snapshot(lines) -> dict:
    """Each product line's editable fields, keyed `line <sequence>.<field>` (the order shown)."""
    values = {}
    for line in lines:
        for name, value in audit.snapshot(line, [*FREE_LINE_FIELDS, "total"]).items():
            values[f"line {line.sequence}.{name}"] = value
    return values
