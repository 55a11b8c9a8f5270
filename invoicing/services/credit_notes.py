"""Credit notes (SPEC "Credit notes"): full or partial, settled against their invoice.

A credit note is posted at once (its own `RINV/<year>/` number). It first settles what is still
due on the invoice it credits; the rest is owed to the customer and settled by a refund (a payment
registered on the credit note). A full credit note releases every timesheet line billed on the
invoice; a partial one (chosen lines and quantities, never more than not yet credited) releases
only the timesheet lines it credits.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from audit import services as audit
from core.errors import ConflictError, DomainError
from core.models import User
from core.money import ZERO, format_qty, line_subtotal, quantize_exact_qty, tax_amount, to_decimal
from sales.services import order_lines_recompute
from timesheets.models import TimesheetLine

from ..models import Invoice, InvoiceLine
from ..selectors import CreditableLine, invoice_creditable_lines
from ..states import lock_invoice_action, post, settle

# Fields of an invoice line copied onto the line that credits it.
_COPIED = [
    f.attname
    for f in InvoiceLine._meta.concrete_fields
    if f.attname not in ("id", "invoice_id", "reversed_line_id")
]


# What crediting changes on the credited invoice (the credit note records its own posting).
SETTLEMENT_AUDIT_FIELDS = ("amount_settled", "payment_state")


def invoice_credit_note(*, invoice: Invoice, user: User, lines: list[dict] | None = None) -> Invoice:
    """Credit a posted invoice: every line (`lines` None: a full credit note, refused once the
    invoice has a credit note) or the chosen `[{"invoice_line": id, "quantity": q}]`. Returns the
    posted credit note, already settled against the invoice."""
    with transaction.atomic():
        _, locked = lock_invoice_action(invoice, order_lines=True, timesheet_lines=True)
        _check_creditable(locked, full=lines is None)
        creditable = invoice_creditable_lines(invoice=locked)
        chosen = _full(creditable) if lines is None else _chosen(creditable, lines)
        credit = Invoice.objects.create(
            kind=Invoice.Kind.CREDIT_NOTE,
            customer=locked.customer,
            order=locked.order,
            reversed_invoice=locked,
            created_by=user if getattr(user, "is_authenticated", False) else None,
            period_start=locked.period_start,
            period_end=locked.period_end,
        )
        credit_lines = _credit_lines(credit, locked, chosen, full=lines is None)
        InvoiceLine.objects.bulk_create(credit_lines)
        products = [line for line in credit_lines if line.display_type == InvoiceLine.DisplayType.PRODUCT]
        credit.amount_untaxed = sum((line.subtotal for line in products), ZERO)
        credit.amount_tax = sum((line.tax_amount for line in products), ZERO)
        credit.amount_total = credit.amount_untaxed + credit.amount_tax
        credit.save(update_fields=["amount_untaxed", "amount_tax", "amount_total", "updated_at"])
        released = _release_timesheets(locked, chosen, full=lines is None)
        before = audit.snapshot(locked, SETTLEMENT_AUDIT_FIELDS)
        post(credit, user)
        settled = settle(invoice=locked, credit_note=credit)
        order_lines_recompute(line_ids=[line.sale_line_id for line in products if line.sale_line_id])
        audit.record(
            actor=user,
            action="invoice.credit",
            obj=locked,
            changes=audit.diff(before, audit.snapshot(locked, SETTLEMENT_AUDIT_FIELDS)),
            credit_note=credit.number,
            partial=lines is not None,
            amount_total=credit.amount_total,
            settled=settled,
            timesheet_lines_released=released,
        )
    for f in Invoice._meta.concrete_fields:
        setattr(invoice, f.attname, getattr(locked, f.attname))
    return credit


def _check_creditable(invoice: Invoice, *, full: bool) -> None:
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        raise ConflictError("A credit note cannot be credited.", code="invoice_kind")
    if invoice.state != Invoice.State.POSTED:
        raise ConflictError(
            f"Invoice {invoice} is {invoice.get_state_display().lower()}: only posted invoices can be "
            "credited (cancel a draft instead).",
            code="invoice_state",
        )
    existing = invoice.credit_notes.exclude(state=Invoice.State.CANCEL).order_by("id").first()
    if full and existing is not None:
        raise ConflictError(
            f"Invoice {invoice} is already credited by {existing}; credit what remains line by line.",
            code="already_credited",
        )


def _full(creditable: list[CreditableLine]) -> list[tuple[CreditableLine, Decimal]]:
    return [(row, row.line.quantity) for row in creditable]


def _chosen(creditable: list[CreditableLine], lines: list[dict]) -> list[tuple[CreditableLine, Decimal]]:
    """Validate the chosen lines and quantities; errors name the entry (`lines[1].quantity`)."""
    if not lines:
        raise DomainError("Choose at least one line to credit.", field="lines")
    by_id = {row.line.pk: row for row in creditable}
    chosen, seen = [], set()
    for index, entry in enumerate(lines):
        field = f"lines[{index}]"
        row = by_id.get(_int(entry.get("invoice_line")))
        if row is None or row.line.pk in seen:
            raise DomainError(
                f"Line {index + 1}: no such line on this invoice.", field=f"{field}.invoice_line"
            )
        seen.add(row.line.pk)
        try:
            quantity = to_decimal(entry.get("quantity"))
        except (TypeError, ArithmeticError, ValueError):
            raise DomainError(f"Line {index + 1}: enter a quantity.", field=f"{field}.quantity") from None
        if not quantity.is_finite() or quantity <= 0 or quantity != quantize_exact_qty(quantity):
            raise DomainError(
                f"Line {index + 1}: the quantity must be more than 0 (at most six decimals).",
                field=f"{field}.quantity",
            )
        if row.line.quantity <= 0:
            raise DomainError(
                f"Line {index + 1}: a deduction line is credited with the whole invoice only.",
                field=f"{field}.invoice_line",
            )
        if quantity > row.remaining:
            already = f" ({format_qty(row.credited)} of {format_qty(row.line.quantity)} already is)"
            raise DomainError(
                f"Line {index + 1}: at most {format_qty(max(row.remaining, ZERO))} can still be credited"
                f"{already if row.credited else ''}.",
                field=f"{field}.quantity",
            )
        chosen.append((row, quantity))
    return chosen


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _credit_lines(credit: Invoice, invoice: Invoice, chosen, *, full: bool) -> list[InvoiceLine]:
    """Full: a copy of every line (sections too). Partial: the chosen lines at the chosen
    quantity, amounts computed from it (the whole line: its own figures, to the cent)."""
    if full:
        originals = invoice.lines.order_by("sequence", "id")
        return [
            InvoiceLine(invoice=credit, reversed_line=line, **{name: getattr(line, name) for name in _COPIED})
            for line in originals
        ]
    result = []
    for row, quantity in chosen:
        line = row.line
        copy = InvoiceLine(
            invoice=credit, reversed_line=line, **{name: getattr(line, name) for name in _COPIED}
        )
        if quantity != line.quantity:
            copy.quantity = quantity
            copy.subtotal = line_subtotal(quantity, line.price_unit, line.discount)
            copy.tax_amount = tax_amount(copy.subtotal, line.tax_rate)
            copy.total = copy.subtotal + copy.tax_amount
        result.append(copy)
    return result


def _release_timesheets(invoice: Invoice, chosen, *, full: bool) -> int:
    """Unlink the timesheet lines this credit note credits, so they can be billed again. Full:
    all of them. Partial, per credited line: all when nothing of it remains billed; otherwise the
    newest lines whose hours fit in what is no longer billed (never more)."""
    billed = TimesheetLine.objects.filter(invoice=invoice)
    if full:
        return billed.update(invoice=None, invoice_line=None, updated_at=timezone.now())
    release = []
    for row, quantity in chosen:
        line = row.line
        if not line.sale_line_id:
            continue
        # Employee rates bill some timesheet lines on their own invoice line; the rest are linked
        # through the order line only.
        of_line = Q(invoice_line=line) | Q(invoice_line__isnull=True, sale_line_id=line.sale_line_id)
        linked = list(billed.filter(of_line).order_by(F("date").desc(), F("id").desc()))
        left = row.remaining - quantity
        if left <= 0:
            release += [ts.pk for ts in linked]
            continue
        ratio = line.uom.ratio if line.uom_id else Decimal(1)
        budget = sum((ts.billed for ts in linked), ZERO) - left * ratio  # billed hours
        for ts in linked:
            if ts.billed <= budget:
                release.append(ts.pk)
                budget -= ts.billed
    return TimesheetLine.objects.filter(pk__in=release).update(
        invoice=None, invoice_line=None, updated_at=timezone.now()
    )
