"""What an invoice of an order would hold: the planned lines and their totals (no database)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from core.errors import DomainError
from core.money import ZERO, line_subtotal, tax_amount
from sales.models import Order, OrderLine, Product, Uom

from ..models import InvoiceLine


class Method:
    """How an order is invoiced: what it delivered (regular) or a down payment."""

    REGULAR = "regular"
    DOWN_PAYMENT_PERCENT = "down_payment_percent"
    DOWN_PAYMENT_FIXED = "down_payment_fixed"
    CHOICES = [
        (REGULAR, "Regular invoice"),
        (DOWN_PAYMENT_PERCENT, "Down payment (percentage)"),
        (DOWN_PAYMENT_FIXED, "Down payment (fixed amount)"),
    ]


METHODS = tuple(value for value, _label in Method.CHOICES)


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


def nothing_to_invoice(order: Order, reason: str) -> DomainError:
    return DomainError(f"Order {order.name} has nothing to invoice: {reason}", code="nothing_to_invoice")


def order_lines(order: Order) -> list[OrderLine]:
    return list(order.lines.select_related("product", "uom", "tax").order_by("sequence", "id"))
