"""Money reports: unbilled work, revenue by month, aged receivables. Each figure is computed
the way the invoices compute it, so the reports agree with them to the cent."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth

from core.money import ZERO
from invoicing.models import Invoice, Payment
from sales.models import Order

from .common import date_range_q, dec, month_starts

CONFIRMED = (Order.State.SALE, Order.State.DONE)
MONEY = DecimalField(max_digits=16, decimal_places=2)


# --- revenue by month ------------------------------------------------------------------------


@dataclass
class RevenueRow:
    month: datetime.date
    documents: int = 0
    invoiced: Decimal = ZERO  # untaxed, invoices
    credited: Decimal = ZERO  # untaxed, credit notes (negative)
    tax: Decimal = ZERO  # signed
    total: Decimal = ZERO  # signed, tax included

    @property
    def net(self) -> Decimal:
        return self.invoiced + self.credited

    @property
    def label(self) -> str:
        return self.month.strftime("%Y-%m")


@dataclass
class RevenueReport:
    rows: list[RevenueRow] = field(default_factory=list)
    totals: RevenueRow = field(default_factory=lambda: RevenueRow(month=datetime.date.min))


def _signed(name: str):
    return Case(When(kind=Invoice.Kind.CREDIT_NOTE, then=-F(name)), default=F(name), output_field=MONEY)


def revenue_by_month(*, filters) -> RevenueReport:
    """Posted invoices and credit notes (negative) by month of their invoice date. One query."""
    documents = Invoice.objects.filter(state=Invoice.State.POSTED, **date_range_q("invoice_date", filters))
    if filters.customer_id is not None:
        documents = documents.filter(customer_id=filters.customer_id)
    credit = Q(kind=Invoice.Kind.CREDIT_NOTE)
    by_month = {
        row["month"]: row
        for row in documents.annotate(month=TruncMonth("invoice_date"))
        .order_by()
        .values("month")
        .annotate(
            documents=Count("id"),
            invoiced=Sum("amount_untaxed", filter=~credit),
            credited=Sum("amount_untaxed", filter=credit),
            tax=Sum(_signed("amount_tax")),
            total=Sum(_signed("amount_total")),
        )
    }
    report = RevenueReport()
    if not by_month and filters.date_from is None:
        return report
    first = filters.date_from or min(by_month)
    for month in month_starts(first, filters.date_to):
        data = by_month.get(month, {})
        row = RevenueRow(
            month=month,
            documents=data.get("documents") or 0,
            invoiced=dec(data.get("invoiced")),
            credited=-dec(data.get("credited")),
            tax=dec(data.get("tax")),
            total=dec(data.get("total")),
        )
        report.rows.append(row)
        for name in ("documents", "invoiced", "credited", "tax", "total"):
            setattr(report.totals, name, getattr(report.totals, name) + getattr(row, name))
    return report


# --- aged receivables ------------------------------------------------------------------------

AGE_BUCKETS = (
    ("current", "Current"),
    ("days_1_30", "1–30 days"),
    ("days_31_60", "31–60 days"),
    ("days_61_90", "61–90 days"),
    ("days_over_90", "> 90 days"),
)


@dataclass
class ReceivableRow:
    customer_id: int | None
    customer: str
    current: Decimal = ZERO
    days_1_30: Decimal = ZERO
    days_31_60: Decimal = ZERO
    days_61_90: Decimal = ZERO
    days_over_90: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return sum((getattr(self, name) for name, _ in AGE_BUCKETS), ZERO)

    def buckets(self) -> list[Decimal]:
        return [getattr(self, name) for name, _ in AGE_BUCKETS]


@dataclass
class ReceivablesReport:
    as_of: datetime.date
    rows: list[ReceivableRow] = field(default_factory=list)
    totals: ReceivableRow = field(default_factory=lambda: ReceivableRow(customer_id=None, customer="Total"))


def _bucket_filters(as_of: datetime.date) -> dict[str, Q]:
    def days_ago(days: int) -> datetime.date:
        return as_of - datetime.timedelta(days=days)

    return {
        "current": Q(aging_date__gte=as_of),
        "days_1_30": Q(aging_date__lt=as_of, aging_date__gte=days_ago(30)),
        "days_31_60": Q(aging_date__lt=days_ago(30), aging_date__gte=days_ago(60)),
        "days_61_90": Q(aging_date__lt=days_ago(60), aging_date__gte=days_ago(90)),
        "days_over_90": Q(aging_date__lt=days_ago(90)),
    }


def aged_receivables(*, filters) -> ReceivablesReport:
    """What each customer owes on `filters.date_to` (the "as of" day), by days past due.

    Open amount of a posted document = total − payments dated up to that day; credit notes
    count negative (owed to the customer) and age with the invoice they credit, so a credited
    invoice and its credit note cancel out in the same column. One query."""
    as_of = filters.date_to
    paid = Subquery(
        Payment.objects.filter(invoice=OuterRef("pk"), date__lte=as_of)
        .order_by()
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")[:1],
        output_field=MONEY,
    )
    open_amount = Case(
        When(kind=Invoice.Kind.CREDIT_NOTE, then=Coalesce(paid, Value(ZERO)) - F("amount_total")),
        default=F("amount_total") - Coalesce(paid, Value(ZERO)),
        output_field=MONEY,
    )
    documents = Invoice.objects.filter(state=Invoice.State.POSTED, **date_range_q("invoice_date", filters))
    if filters.customer_id is not None:
        documents = documents.filter(customer_id=filters.customer_id)
    rows = (
        documents.annotate(open=open_amount, aging_date=Coalesce("reversed_invoice__due_date", "due_date"))
        .order_by()
        .values("customer_id", "customer__name")
        .annotate(**{name: Sum("open", filter=q) for name, q in _bucket_filters(as_of).items()})
    )
    report = ReceivablesReport(as_of=as_of)
    for row in rows:
        item = ReceivableRow(customer_id=row["customer_id"], customer=row["customer__name"])
        for name, _ in AGE_BUCKETS:
            setattr(item, name, dec(row[name]))
            setattr(report.totals, name, getattr(report.totals, name) + dec(row[name]))
        if any(item.buckets()):
            report.rows.append(item)
    report.rows.sort(key=lambda r: (-r.total, r.customer.lower()))
    return report
