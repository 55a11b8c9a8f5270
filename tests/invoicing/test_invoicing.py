"""Invoicing orders: regular (with timesheet periods), down payments, what may be invoiced, the
preview; the SPEC scenarios with their numbers. After creation: test_invoice_lifecycle.py."""

import datetime
from decimal import Decimal

import pytest

from core.errors import ConflictError, DomainError
from invoicing import selectors as inv_selectors
from invoicing import services as inv
from invoicing.models import Invoice
from sales import services as sales
from tests.clock import TODAY, frozen_on
from tests.factories import ProductFactory
from tests.invoicing.helpers import fresh, log
from timesheets import services as ts
from timesheets.models import TimesheetLine

pytestmark = [pytest.mark.django_db, frozen_on(TODAY)]

D = Decimal


# --- SPEC scenarios --------------------------------------------------------------------------


def test_prepaid_block_is_invoiced_upfront_then_consumed_into_upselling(
    make_order, prepaid_product, seller, agent, project
):
    order, line = make_order(prepaid_product, "50")
    assert line.price_subtotal == D("25000.00")
    assert (line.qty_to_invoice, line.invoice_status, order.invoice_status) == (
        D("50"),
        "to_invoice",
        "to_invoice",
    )

    invoice = inv.invoice_create_from_order(order=order, user=seller)
    assert invoice.amount_untaxed == D("25000.00")
    assert (fresh(line).qty_invoiced, line.invoice_status, fresh(order).invoice_status) == (
        D("50"),
        "invoiced",
        "invoiced",
    )

    # One line a day: at most 24 h a day per employee.
    logged = tuple(log(agent, "10", line, project, TODAY - datetime.timedelta(days=n)) for n in range(3))
    assert fresh(line).remaining_hours == D("20.00")
    for n in range(3, 5):
        log(agent, "12.5", line, project, TODAY - datetime.timedelta(days=n))
    assert (fresh(line).qty_delivered, line.remaining_hours) == (D("55.00"), D("-5.00"))
    assert line.invoice_status == "upselling"
    assert fresh(order).invoice_status == "upselling"
    # prepaid lines are never linked to invoices: their time stays editable
    assert not TimesheetLine.objects.filter(invoice__isnull=False).exists()
    ts.timesheet_update(line=logged[0], user=agent, hours=D("5"))
    assert (fresh(line).qty_delivered, fresh(order).invoice_status) == (D("50.00"), "invoiced")


def test_postpaid_service_on_timesheets_is_billed_by_period(
    make_order, timesheet_product, seller, agent, project, settings
):
    settings.TIMESHEET_MAX_DAYS_AHEAD = 7
    order, line = make_order(timesheet_product, "10")
    assert order.invoice_status == "no"
    with pytest.raises(DomainError, match="nothing to invoice"):
        inv.invoice_create_from_order(order=order, user=seller)
    assert not Invoice.objects.exists()

    october = log(agent, "3.5", line, project, datetime.date(2026, 10, 30))
    november = log(agent, "2", line, project, datetime.date(2026, 11, 2))
    assert (fresh(line).qty_delivered, line.qty_to_invoice, fresh(order).invoice_status) == (
        D("5.50"),
        D("5.50"),
        "to_invoice",
    )

    first = inv.invoice_create_from_order(
        order=order,
        user=seller,
        period_start=datetime.date(2026, 11, 1),
        period_end=datetime.date(2026, 11, 30),
    )
    [billed] = first.lines.all()
    assert (billed.quantity, billed.subtotal, billed.period_start) == (
        D("2.00"),
        D("200.00"),
        datetime.date(2026, 11, 1),
    )
    assert list(first.timesheets.all()) == [november]
    assert fresh(october).invoice is None
    assert (fresh(line).qty_invoiced, line.qty_to_invoice, fresh(order).invoice_status) == (
        D("2.00"),
        D("3.50"),
        "to_invoice",
    )

    second = inv.invoice_create_from_order(order=order, user=seller)
    assert [(x.quantity, x.subtotal) for x in second.lines.all()] == [(D("3.50"), D("350.00"))]
    assert fresh(october).invoice == second
    assert (fresh(line).qty_invoiced, line.qty_to_invoice) == (D("5.50"), D("0.00"))
    # 5.5 h delivered and invoiced of 10 h estimated: nothing more to do, but not "invoiced"
    assert (line.invoice_status, fresh(order).invoice_status) == ("no", "no")


def test_postpaid_order_is_invoiced_when_delivery_reaches_the_estimate(
    make_order, timesheet_product, seller, agent, project
):
    order, line = make_order(timesheet_product, "5.5")
    log(agent, "3.5", line, project, datetime.date(2026, 10, 30))
    log(agent, "2", line, project, datetime.date(2026, 11, 2))
    inv.invoice_create_from_order(order=order, user=seller)
    assert (fresh(line).invoice_status, fresh(order).invoice_status) == ("invoiced", "invoiced")


def test_period_without_time_has_nothing_to_invoice(make_order, timesheet_product, seller, agent, project):
    order, line = make_order(timesheet_product, "10")
    log(agent, "3.5", line, project, datetime.date(2026, 10, 30))
    with pytest.raises(DomainError, match="nothing to invoice"):
        inv.invoice_create_from_order(order=order, user=seller, period_start=datetime.date(2026, 11, 1))
    assert not Invoice.objects.exists()
    assert fresh(line).qty_invoiced == 0


def test_period_open_at_the_start(make_order, timesheet_product, seller, agent, project):
    order, line = make_order(timesheet_product, "10")
    log(agent, "3.5", line, project, datetime.date(2026, 10, 30))
    log(agent, "2", line, project, datetime.date(2026, 11, 2))
    invoice = inv.invoice_create_from_order(order=order, user=seller, period_end=datetime.date(2026, 10, 31))
    assert invoice.lines.get().quantity == D("3.50")


def test_down_payment_is_deducted_from_the_final_invoice(make_order, seller, vat20):
    product = ProductFactory(name="Installation", price=D("1000.00"), tax=vat20)
    order, line = make_order(product, "1")
    assert order.amount_total == D("1200.00")

    down = inv.invoice_create_from_order(
        order=order, user=seller, method=inv.Method.DOWN_PAYMENT_PERCENT, amount=D("30")
    )
    [dp_line] = down.lines.all()
    assert (dp_line.subtotal, dp_line.tax_amount, dp_line.total, dp_line.is_downpayment) == (
        D("300.00"),
        D("60.00"),
        D("360.00"),
        True,
    )
    assert down.amount_total == D("360.00")
    assert order.lines.filter(is_downpayment=True).count() == 1
    assert fresh(order).invoice_status == "to_invoice"
    assert fresh(order).amount_total == D("1200.00")
    inv.invoice_post(invoice=down, user=seller)

    final = inv.invoice_create_from_order(order=order, user=seller)
    lines = list(final.lines.all())
    assert [(x.display_type, x.description) for x in lines][1] == ("section", "Down payments")
    deduction = lines[2]
    assert (deduction.quantity, deduction.subtotal, deduction.tax_amount) == (
        D("-1.00"),
        D("-300.00"),
        D("-60.00"),
    )
    assert (final.amount_untaxed, final.amount_tax, final.amount_total) == (
        D("700.00"),
        D("140.00"),
        D("840.00"),
    )
    assert fresh(order).invoice_status == "invoiced"
    assert order.lines.get(is_downpayment=True).qty_to_invoice == 0
    with pytest.raises(DomainError, match="nothing to invoice"):
        inv.invoice_create_from_order(order=order, user=seller)


def test_fixed_down_payment_is_tax_included(make_order, seller, vat20):
    product = ProductFactory(name="Installation", price=D("1000.00"), tax=vat20)
    order, _ = make_order(product, "1")
    down = inv.invoice_create_from_order(
        order=order, user=seller, method=inv.Method.DOWN_PAYMENT_FIXED, amount=D("120")
    )
    assert (down.amount_untaxed, down.amount_tax, down.amount_total) == (D("100.00"), D("20.00"), D("120.00"))


@pytest.mark.parametrize(
    ("method", "amount"),
    [
        ("down_payment_percent", None),
        ("down_payment_percent", D("0")),
        ("down_payment_percent", D("101")),
        ("down_payment_fixed", D("-5")),
        ("down_payment_fixed", D("5000")),
    ],
)
def test_bad_down_payment_amounts_are_refused(make_order, prepaid_product, seller, method, amount):
    order, _ = make_order(prepaid_product, "1")
    with pytest.raises(DomainError) as exc:
        inv.invoice_create_from_order(order=order, user=seller, method=method, amount=amount)
    assert exc.value.field == "amount"
    assert not Invoice.objects.exists()
    assert not order.lines.filter(is_downpayment=True).exists()


def test_quotation_cannot_be_invoiced(make_order, prepaid_product, seller):
    order, _ = make_order(prepaid_product, "1", confirm=False)
    with pytest.raises(ConflictError):
        inv.invoice_create_from_order(order=order, user=seller)


def test_locked_order_can_still_be_invoiced(make_order, prepaid_product, seller):
    order, _ = make_order(prepaid_product, "1")
    sales.order_lock(order=order, user=seller)
    assert inv.invoice_create_from_order(order=order, user=seller).amount_total == D("500.00")


def test_preview_shows_the_invoice_without_writing(make_order, timesheet_product, seller, agent, project):
    order, line = make_order(timesheet_product, "10")
    assert "nothing to invoice" in inv_selectors.invoice_preview_from_order(order=order)["error"]
    log(agent, "2", line, project)
    preview = inv_selectors.invoice_preview_from_order(order=order)
    assert preview["error"] is None
    assert preview["lines"] == [
        {
            "description": "Service on Timesheets",
            "quantity": D("2.00"),
            "uom": "Hours",
            "price_unit": D("100.00"),
            "subtotal": D("200.00"),
            "tax_amount": D("0.00"),
            "total": D("200.00"),
            "is_downpayment": False,
        }
    ]
    assert preview["amount_total"] == D("200.00")
    assert not Invoice.objects.exists()
