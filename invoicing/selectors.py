"""Invoicing reads. CONTRACT: other apps code against these signatures.

`invoice_plan` computes what an invoice of an order would contain (SPEC Invoicing); the service
`invoice_create_from_order` writes exactly that plan, `invoice_preview_from_order` shows it.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum

from core.display import format_money
from core.errors import ConflictError, DomainError
from core.money import HUNDRED, ZERO, line_subtotal, quantize_money, tax_amount, to_decimal
from core.units import hours_to_unit
from sales.models import Order, OrderLine, Product, Uom, UomCategory
from timesheets.models import BILLED_HOURS, INVOICEABLE_APPROVAL_STATES, TimesheetLine

from .models import InvoiceLine
from .rates import rate_groups

REGULAR = "regular"
DOWN_PAYMENT_PERCENT = "down_payment_percent"
DOWN_PAYMENT_FIXED = "down_payment_fixed"
METHODS = (REGULAR, DOWN_PAYMENT_PERCENT, DOWN_PAYMENT_FIXED)
CONFIRMED_STATES = (Order.State.SALE, Order.State.DONE)
DOWN_PAYMENTS_SECTION = "Down payments"


@dataclass
class PlannedLine:
    description: str
    quantity: Decimal = ZERO
    price_unit: Decimal = ZERO
    discount: Decimal = ZERO
    sale_line: OrderLine | None = None
    product: Product | None = None
    uom: Uom | None = None
    tax: object = None
    display_type: str = InvoiceLine.DisplayType.PRODUCT
    is_downpayment: bool = False
    period_start: date | None = None
    period_end: date | None = None
    # Employee rates: the (employee, project) pairs whose timesheet lines this line bills.
    timesheet_members: list | None = None
    # Down-payment invoices: index into InvoicePlan.new_downpayment_lines (created on write).
    new_downpayment_index: int | None = None
    subtotal: Decimal = ZERO
    tax_amount: Decimal = ZERO
    total: Decimal = ZERO

    def compute(self) -> "PlannedLine":
        if self.display_type == InvoiceLine.DisplayType.PRODUCT:
            self.subtotal = line_subtotal(self.quantity, self.price_unit, self.discount)
            self.tax_amount = tax_amount(self.subtotal, self.tax.rate if self.tax else None)
            self.total = self.subtotal + self.tax_amount
        return self

    @property
    def tax_rate(self) -> Decimal:
        return self.tax.rate if self.tax else Decimal("0.000")


@dataclass
class InvoicePlan:
    order: Order
    method: str
    lines: list[PlannedLine] = field(default_factory=list)
    period_start: date | None = None
    period_end: date | None = None
    # Order lines whose not yet invoiced timesheet lines (within the period) get linked.
    timesheet_sale_line_ids: list[int] = field(default_factory=list)
    # Down-payment order lines to add to the order (dicts of OrderLine fields).
    new_downpayment_lines: list[dict] = field(default_factory=list)

    @property
    def product_lines(self) -> list[PlannedLine]:
        return [line for line in self.lines if line.display_type == InvoiceLine.DisplayType.PRODUCT]

    @property
    def amount_untaxed(self) -> Decimal:
        return sum((line.subtotal for line in self.product_lines), ZERO)

    @property
    def amount_tax(self) -> Decimal:
        return sum((line.tax_amount for line in self.product_lines), ZERO)

    @property
    def amount_total(self) -> Decimal:
        return self.amount_untaxed + self.amount_tax


def _nothing_to_invoice(order: Order, reason: str) -> DomainError:
    return DomainError(f"Order {order.name} has nothing to invoice: {reason}", code="nothing_to_invoice")


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


def _order_lines(order: Order) -> list[OrderLine]:
    return list(order.lines.select_related("product", "uom", "tax").order_by("sequence", "id"))


def invoice_plan(
    *,
    order: Order,
    method: str = REGULAR,
    amount: Decimal | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
) -> InvoicePlan:
    """What an invoice of `order` would hold, from the stored line figures. Raises
    ConflictError (order not confirmed) or DomainError (bad input, nothing to invoice)."""
    if method not in METHODS:
        raise DomainError(f"Unknown invoicing method {method!r}.", field="method")
    if order.state not in CONFIRMED_STATES:
        raise ConflictError(
            f"Order {order.name} is {order.get_state_display().lower()}: only confirmed orders can be "
            "invoiced.",
            code="order_state",
        )
    if method == REGULAR:
        return _regular_plan(order, period_start=period_start, period_end=period_end)
    if not order.is_invoiceable:
        raise _nothing_to_invoice(order, "it is fully invoiced.")
    return _downpayment_plan(order, method=method, amount=amount)


def _regular_plan(order: Order, *, period_start, period_end) -> InvoicePlan:
    if period_start and period_end and period_start > period_end:
        raise DomainError("The period ends before it starts.", field="period_end")
    plan = InvoicePlan(order=order, method=REGULAR, period_start=period_start, period_end=period_end)
    lines = _order_lines(order)
    timesheet_lines = [
        line
        for line in lines
        if not line.is_downpayment and line.invoice_policy == Product.InvoicePolicy.TIMESHEET
    ]
    timesheet_ids = {line.pk for line in timesheet_lines}
    unbilled = {}
    in_period = Q()
    if period_start:
        in_period &= Q(date__gte=period_start)
    if period_end:
        in_period &= Q(date__lte=period_end)
    by_rate = rate_groups(lines=timesheet_lines, in_period=in_period)
    if timesheet_lines:
        unbilled = {
            row["sale_line"]: row
            for row in TimesheetLine.objects.filter(
                sale_line__in=timesheet_lines,
                invoice__isnull=True,
                approval_state__in=INVOICEABLE_APPROVAL_STATES,
            )
            .order_by()
            .values("sale_line")
            .annotate(total=Sum(BILLED_HOURS), in_period=Sum(BILLED_HOURS, filter=in_period))
        }
    for line in lines:
        if line.is_downpayment:
            continue
        quantity = line.qty_to_invoice
        if line.pk in timesheet_ids and (period_start or period_end):
            row = unbilled.get(line.pk) or {"total": None, "in_period": None}
            if not row["in_period"]:
                quantity = ZERO
            elif row["in_period"] != row["total"]:
                # Part of the not yet invoiced time: the hours of the period, in the line's unit.
                quantity = min(quantity, hours_to_unit(row["in_period"], line.uom))
        if quantity <= 0:
            continue
        if line.pk in timesheet_ids:
            plan.timesheet_sale_line_ids.append(line.pk)
        if line.pk in by_rate:
            plan.lines.extend(_rate_lines(line, by_rate[line.pk], period_start, period_end))
            continue
        plan.lines.append(
            PlannedLine(
                description=line.description or str(line.product or ""),
                quantity=quantity,
                price_unit=line.price_unit,
                discount=line.discount,
                sale_line=line,
                product=line.product,
                uom=line.uom,
                tax=line.tax,
                period_start=period_start if line.pk in timesheet_ids else None,
                period_end=period_end if line.pk in timesheet_ids else None,
            ).compute()
        )
    if not plan.lines:
        if timesheet_lines and (period_start or period_end) and any(r["total"] for r in unbilled.values()):
            raise _nothing_to_invoice(order, "no time to bill in that period.")
        raise _nothing_to_invoice(order, "no delivered or ordered quantity is waiting to be billed.")
    deductions = [line for line in lines if line.is_downpayment and line.qty_to_invoice < 0]
    if deductions:
        plan.lines.append(
            PlannedLine(description=DOWN_PAYMENTS_SECTION, display_type=InvoiceLine.DisplayType.SECTION)
        )
        for line in deductions:
            plan.lines.append(
                PlannedLine(
                    description=line.description,
                    quantity=line.qty_to_invoice,
                    price_unit=line.price_unit,
                    sale_line=line,
                    uom=line.uom,
                    tax=line.tax,
                    is_downpayment=True,
                ).compute()
            )
        if plan.amount_total < 0:
            raise DomainError(
                f"The down payments already invoiced exceed what this invoice would bill "
                f"({format_money(plan.amount_total)}): invoice a longer period or the whole order.",
                code="downpayment_exceeds",
            )
    return plan


def _rate_lines(line, groups, period_start, period_end) -> list[PlannedLine]:
    """One planned line per hourly rate of a post-paid line (employee rates)."""
    return [
        PlannedLine(
            description=group.description(line),
            quantity=group.quantity(line),
            price_unit=group.price_unit(line),
            discount=line.discount,
            sale_line=line,
            product=line.product,
            uom=line.uom,
            tax=line.tax,
            period_start=period_start,
            period_end=period_end,
            timesheet_members=group.members,
        ).compute()
        for group in groups
        if group.hours > 0
    ]


def _tax_groups(lines: list[OrderLine]) -> list[tuple[object, Decimal, Decimal]]:
    """(tax, untaxed, total) of the order's lines per tax, in order of first appearance."""
    groups: dict = {}
    for line in lines:
        if line.is_downpayment:
            continue
        tax, untaxed, total = groups.get(line.tax_id, (line.tax, ZERO, ZERO))
        groups[line.tax_id] = (tax, untaxed + line.price_subtotal, total + line.price_total)
    return [g for g in groups.values() if g[2] > 0]


def _untaxed_from_included(total: Decimal, tax) -> Decimal:
    """The untaxed amount whose rounded tax brings it to `total` exactly, when one exists."""
    if tax is None or not tax.rate:
        return total
    guess = quantize_money(total * HUNDRED / (HUNDRED + tax.rate))
    for candidate in (guess, guess - Decimal("0.01"), guess + Decimal("0.01")):
        if candidate + tax_amount(candidate, tax.rate) == total:
            return candidate
    return guess


def _downpayment_plan(order: Order, *, method: str, amount) -> InvoicePlan:
    lines = _order_lines(order)
    groups = _tax_groups(lines)
    if not groups:
        raise _nothing_to_invoice(order, "the order total is zero.")
    plan = InvoicePlan(order=order, method=method)
    if method == DOWN_PAYMENT_PERCENT:
        percent = _amount(amount, label="down payment percentage")
        if percent > HUNDRED:
            raise DomainError("A down payment is at most 100 % of the order.", field="amount")
        label = f"Down payment of {percent.normalize():f} %"
        untaxed = [quantize_money(group_untaxed * percent / HUNDRED) for _, group_untaxed, _ in groups]
    else:
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
        untaxed = [
            _untaxed_from_included(share, tax) for share, (tax, _, _) in zip(shares, groups, strict=True)
        ]
    units = Uom.objects.filter(category__kind=UomCategory.Kind.UNIT).order_by("ratio", "id").first()
    sequence = max((line.sequence for line in lines), default=0) + 100
    for (tax, _, _), value in zip(groups, untaxed, strict=True):
        if value <= 0:
            continue
        description = label if len(groups) == 1 else f"{label} ({tax.name if tax else 'no tax'})"
        plan.new_downpayment_lines.append(
            {
                "order": order,
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
    if not plan.lines:
        raise DomainError("The down payment rounds to zero.", field="amount")
    return plan


def invoice_preview_from_order(
    *,
    order: Order,
    method: str = "regular",
    amount: Decimal | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
) -> dict:
    """What `invoice_create_from_order` would create, without writing:
    {"lines": [{"description", "quantity", "uom", "price_unit", "subtotal", "tax_amount", "total",
    "is_downpayment"}], "amount_untaxed", "amount_tax", "amount_total", "error": str | None}."""
    try:
        plan = invoice_plan(
            order=order, method=method, amount=amount, period_start=period_start, period_end=period_end
        )
    except DomainError as exc:
        return {
            "lines": [],
            "amount_untaxed": ZERO,
            "amount_tax": ZERO,
            "amount_total": ZERO,
            "error": exc.message,
        }
    return {
        "lines": [
            {
                "description": line.description,
                "quantity": line.quantity,
                "uom": line.uom.name if line.uom else "",
                "price_unit": line.price_unit,
                "subtotal": line.subtotal,
                "tax_amount": line.tax_amount,
                "total": line.total,
                "is_downpayment": line.is_downpayment,
            }
            for line in plan.product_lines
        ],
        "amount_untaxed": plan.amount_untaxed,
        "amount_tax": plan.amount_tax,
        "amount_total": plan.amount_total,
        "error": None,
    }


@dataclass
class CreditableLine:
    line: InvoiceLine
    credited: Decimal
    remaining: Decimal


def invoice_creditable_lines(*, invoice) -> list[CreditableLine]:
    """The product lines of a posted invoice with what live credit notes already credited and
    what may still be credited (SPEC Credit notes: never more than not yet credited)."""
    credited = dict(
        InvoiceLine.objects.filter(reversed_line__invoice=invoice)
        .exclude(invoice__state="cancel")
        .order_by()
        .values("reversed_line")
        .annotate(total=Sum("quantity"))
        .values_list("reversed_line", "total")
    )
    lines = invoice.lines.filter(display_type=InvoiceLine.DisplayType.PRODUCT).select_related("uom", "tax")
    return [
        CreditableLine(
            line=line,
            credited=credited.get(line.pk, ZERO),
            remaining=line.quantity - credited.get(line.pk, ZERO),
        )
        for line in lines.order_by("sequence", "id")
    ]
