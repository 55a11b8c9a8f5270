"""The reports agree with the invoices to the cent."""

import datetime
from decimal import Decimal

from django.db.models import Sum

from invoicing import services as invoicing
from invoicing.models import Invoice
from reports.filters import ReportFilters
from reports.selectors import aged_receivables, revenue_by_month, unbilled_work

from .conftest import TODAY

EVERYTHING = ReportFilters(date_from=datetime.date(2026, 1, 1), date_to=TODAY)


def _signed_sum(documents, field: str) -> Decimal:
    invoiced = documents.filter(kind=Invoice.Kind.INVOICE).aggregate(s=Sum(field))["s"] or Decimal("0")
    credited = documents.filter(kind=Invoice.Kind.CREDIT_NOTE).aggregate(s=Sum(field))["s"] or Decimal("0")
    return invoiced - credited


def test_revenue_totals_equal_the_posted_invoices(story):
    posted = Invoice.objects.filter(state=Invoice.State.POSTED)
    report = revenue_by_month(filters=EVERYTHING)
    assert report.totals.net == _signed_sum(posted, "amount_untaxed")
    assert report.totals.tax == _signed_sum(posted, "amount_tax")
    assert report.totals.total == _signed_sum(posted, "amount_total")
    assert report.totals.documents == posted.count()


def test_receivables_equal_what_the_invoices_say_is_due(story):
    posted = Invoice.objects.filter(state=Invoice.State.POSTED)
    due = sum(
        (inv.amount_due if inv.kind == Invoice.Kind.INVOICE else -inv.amount_due for inv in posted),
        Decimal("0"),
    )
    report = aged_receivables(filters=ReportFilters(date_to=TODAY))
    assert report.totals.total == due == Decimal("5008.75")
    for row in report.rows:
        mine = posted.filter(customer_id=row.customer_id)
        assert row.total == sum(
            (inv.amount_due if inv.kind == Invoice.Kind.INVOICE else -inv.amount_due for inv in mine),
            Decimal("0"),
        )


def test_unbilled_value_is_what_invoicing_each_order_bills(story, accountant):
    period = ReportFilters(date_from=datetime.date(2026, 11, 1), date_to=TODAY)
    for filters in (ReportFilters(date_to=TODAY), period):
        report = unbilled_work(filters=filters)
        by_order: dict[int, Decimal] = {}
        for row in report.rows:
            by_order[row.order_id] = by_order.get(row.order_id, Decimal("0")) + row.value
        assert by_order
        for order_id, value in by_order.items():
            order = story.orders_by_id[order_id]
            invoice = invoicing.invoice_create_from_order(
                order=order, user=accountant, period_start=filters.date_from, period_end=filters.date_to
            )
            assert invoice.amount_untaxed == value, order.name
            invoicing.invoice_cancel(invoice=invoice, user=accountant)
