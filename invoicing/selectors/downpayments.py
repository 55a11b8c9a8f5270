"""A down-payment invoice of an order: a percentage of it, or a fixed amount including tax,
split over the order's taxes; each down payment becomes an order line (created on write) that a
later regular invoice deducts."""

from decimal import Decimal

from core.display import format_money
from core.errors import DomainError
from core.money import HUNDRED, ZERO, quantize_money, tax_amount, to_decimal
from sales.models import Order, OrderLine, Product, Uom, UomCategory

from .planned import InvoicePlan, Method, PlannedLine, nothing_to_invoice, order_lines

# (tax, untaxed, total) of the order's lines with one tax.
TaxGroup = tuple[object, Decimal, Decimal]


def downpayment_plan(order: Order, *, method: str, amount) -> InvoicePlan:
    lines = order_lines(order)
    groups = _tax_groups(lines)
    if not groups:
        raise nothing_to_invoice(order, "the order total is zero.")
    plan = InvoicePlan(order=order, method=method)
    if method == Method.DOWN_PAYMENT_PERCENT:
        label, untaxed = _percent_of_order(groups, amount)
    else:
        label, untaxed = _fixed_amount(groups, amount)
    _add_downpayment_lines(plan, lines, groups, label=label, untaxed=untaxed)
    if not plan.lines:
        raise DomainError("The down payment rounds to zero.", field="amount")
    return plan


def _amount(value, *, label: str) -> Decimal:
    if value in (None, ""):
        raise DomainError(f"Enter the {label}.", field="amount")
    try:
        amount = to_decimal(value)
    except (TypeError, ArithmeticError, ValueError):
        raise DomainError(f"Enter the {label} as a number.", field="amount") from None
    if not amount.is_finite() or amount <= 0:
        raise DomainError(f"The {label} must be more than 0.", field="amount")
    return amount


def _tax_groups(lines: list[OrderLine]) -> list[TaxGroup]:
    """(tax, untaxed, total) of the order's lines per tax, in order of first appearance."""
    groups: dict = {}
    for line in lines:
        if line.is_downpayment:
            continue
        tax, untaxed, total = groups.get(line.tax_id, (line.tax, ZERO, ZERO))
        groups[line.tax_id] = (tax, untaxed + line.price_subtotal, total + line.price_total)
    return [g for g in groups.values() if g[2] > 0]


def _percent_of_order(groups: list[TaxGroup], amount) -> tuple[str, list[Decimal]]:
    """The label and, per tax group, the untaxed down payment of a percentage of the order."""
    percent = _amount(amount, label="down payment percentage")
    if percent > HUNDRED:
        raise DomainError("A down payment is at most 100 % of the order.", field="amount")
    label = f"Down payment of {percent.normalize():f} %"
    return label, [quantize_money(group_untaxed * percent / HUNDRED) for _, group_untaxed, _ in groups]


def _fixed_amount(groups: list[TaxGroup], amount) -> tuple[str, list[Decimal]]:
    """The label and, per tax group, the untaxed share of a fixed amount including tax (shared in
    proportion to the groups' totals, the last taking what rounding left)."""
    fixed = quantize_money(_amount(amount, label="down payment amount"))
    order_total = sum((total for _, _, total in groups), ZERO)
    if fixed > order_total:
        raise DomainError(
            f"The down payment ({format_money(fixed)}) is more than the order total "
            f"({format_money(order_total)}).",
            field="amount",
        )
    label = f"Down payment of {format_money(fixed)} (tax included)"
    shares, left = [], fixed
    for i, (_, _, total) in enumerate(groups):
        share = left if i == len(groups) - 1 else quantize_money(fixed * total / order_total)
        shares.append(share)
        left -= share
    return label, [
        _untaxed_from_included(share, tax) for share, (tax, _, _) in zip(shares, groups, strict=True)
    ]


def _untaxed_from_included(total: Decimal, tax) -> Decimal:
    """The untaxed amount whose rounded tax brings it to `total` exactly, when one exists."""
    if tax is None or not tax.rate:
        return total
    guess = quantize_money(total * HUNDRED / (HUNDRED + tax.rate))
    for candidate in (guess, guess - Decimal("0.01"), guess + Decimal("0.01")):
        if candidate + tax_amount(candidate, tax.rate) == total:
            return candidate
    return guess


def _add_downpayment_lines(
    plan: InvoicePlan, lines: list[OrderLine], groups: list[TaxGroup], *, label: str, untaxed: list[Decimal]
) -> None:
    """Per tax group with a down payment: the order line to create and the invoice line billing it."""
    units = Uom.objects.filter(category__kind=UomCategory.Kind.UNIT).order_by("ratio", "id").first()
    sequence = max((line.sequence for line in lines), default=0) + 100
    for (tax, _, _), value in zip(groups, untaxed, strict=True):
        if value <= 0:
            continue
        description = label if len(groups) == 1 else f"{label} ({tax.name if tax else 'no tax'})"
        plan.new_downpayment_lines.append(
            {
                "order": plan.order,
                "sequence": sequence,
                "product": None,
                "description": description,
                "quantity": ZERO,
                "uom": units,
                "price_unit": value,
                "tax": tax,
                "invoice_policy": Product.InvoicePolicy.MANUAL,
                "is_downpayment": True,
            }
        )
        plan.lines.append(
            PlannedLine(
                description=description,
                quantity=Decimal("1.00"),
                price_unit=value,
                uom=units,
                tax=tax,
                is_downpayment=True,
                new_downpayment_index=len(plan.new_downpayment_lines) - 1,
            ).compute()
        )
        sequence += 1
