"""Invoicing orders: regular (with timesheet periods), down payments, posting, cancelling,
credit notes, payments; the SPEC scenarios with their numbers."""

import datetime
from decimal import Decimal

import pytest

from audit.models import AuditEvent
from core.errors import ConflictError, DomainError
from invoicing import selectors as inv_selectors
from invoicing import services as inv
from invoicing.models import Invoice, InvoiceLine
from invoicing.signals import invoice_posted
from sales import services as sales
from tests.clock import TODAY
from tests.factories import CustomerFactory, ProductFactory
from timesheets import services as ts
from timesheets.models import TimesheetLine

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("billing_day")]

D = Decimal


def log(worker, hours, line, project, day=TODAY):
    return ts.timesheet_log(
        employee=worker, user=worker, date=day, hours=D(hours), project=project, sale_line=line
    )


def fresh(obj):
    obj.refresh_from_db()
    return obj


# --- SPEC scenarios --------------------------------------------------------------------------


def test_prepaid_block_is_invoiced_upfront_then_consumed_into_upselling(
    make_order, prepaid_product, seller, worker, project
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
    logged = tuple(log(worker, "10", line, project, TODAY - datetime.timedelta(days=n)) for n in range(3))
    assert fresh(line).remaining_hours == D("20.00")
    for n in range(3, 5):
        log(worker, "12.5", line, project, TODAY - datetime.timedelta(days=n))
    assert (fresh(line).qty_delivered, line.remaining_hours) == (D("55.00"), D("-5.00"))
    assert line.invoice_status == "upselling"
    assert fresh(order).invoice_status == "upselling"
    # prepaid lines are never linked to invoices: their time stays editable
    assert not TimesheetLine.objects.filter(invoice__isnull=False).exists()
    ts.timesheet_update(line=logged[0], user=worker, hours=D("5"))
    assert (fresh(line).qty_delivered, fresh(order).invoice_status) == (D("50.00"), "invoiced")


def test_postpaid_service_on_timesheets_is_billed_by_period(
    make_order, timesheet_product, seller, worker, project, settings
):
    settings.TIMESHEET_MAX_DAYS_AHEAD = 7
    order, line = make_order(timesheet_product, "10")
    assert order.invoice_status == "no"
    with pytest.raises(DomainError, match="nothing to invoice"):
        inv.invoice_create_from_order(order=order, user=seller)
    assert not Invoice.objects.exists()

    october = log(worker, "3.5", line, project, datetime.date(2026, 10, 30))
    november = log(worker, "2", line, project, datetime.date(2026, 11, 2))
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
    make_order, timesheet_product, seller, worker, project
):
    order, line = make_order(timesheet_product, "5.5")
    log(worker, "3.5", line, project, datetime.date(2026, 10, 30))
    log(worker, "2", line, project, datetime.date(2026, 11, 2))
    inv.invoice_create_from_order(order=order, user=seller)
    assert (fresh(line).invoice_status, fresh(order).invoice_status) == ("invoiced", "invoiced")


def test_period_without_time_has_nothing_to_invoice(make_order, timesheet_product, seller, worker, project):
    order, line = make_order(timesheet_product, "10")
    log(worker, "3.5", line, project, datetime.date(2026, 10, 30))
    with pytest.raises(DomainError, match="nothing to invoice"):
        inv.invoice_create_from_order(order=order, user=seller, period_start=datetime.date(2026, 11, 1))
    assert not Invoice.objects.exists()
    assert fresh(line).qty_invoiced == 0


def test_period_open_at_the_start(make_order, timesheet_product, seller, worker, project):
    order, line = make_order(timesheet_product, "10")
    log(worker, "3.5", line, project, datetime.date(2026, 10, 30))
    log(worker, "2", line, project, datetime.date(2026, 11, 2))
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


def test_preview_shows_the_invoice_without_writing(make_order, timesheet_product, seller, worker, project):
    order, line = make_order(timesheet_product, "10")
    assert "nothing to invoice" in inv_selectors.invoice_preview_from_order(order=order)["error"]
    log(worker, "2", line, project)
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


# --- posting ---------------------------------------------------------------------------------


def test_posting_numbers_dates_and_signal(make_order, prepaid_product, seller, customer):
    order, _ = make_order(prepaid_product, "1")
    received = []
    invoice_posted.connect(
        lambda sender, invoice, user, **kw: received.append(invoice.number), dispatch_uid="t-post", weak=False
    )
    try:
        first = inv.invoice_post(invoice=inv.invoice_create_from_order(order=order, user=seller), user=seller)
        sales.order_line_add(order=order, product=prepaid_product, user=seller, quantity=D("2"))
        second = inv.invoice_post(
            invoice=inv.invoice_create_from_order(order=order, user=seller), user=seller
        )
    finally:
        invoice_posted.disconnect(dispatch_uid="t-post")
    year = TODAY.year  # numbers restart each year: derived, never written out
    assert (first.number, second.number) == (f"INV/{year}/00001", f"INV/{year}/00002")
    assert received == [f"INV/{year}/00001", f"INV/{year}/00002"]
    assert first.invoice_date == TODAY
    assert first.due_date == TODAY + datetime.timedelta(days=customer.payment_term_days)
    # A Belgian customer pays with the structured communication: invoice, 2026, number 1, mod 97.
    assert first.payment_reference == "+++126/0000/00171+++"
    assert AuditEvent.objects.filter(action="invoice.post", object_id=first.pk).exists()


def test_posting_twice_is_a_conflict(make_order, prepaid_product, seller):
    order, _ = make_order(prepaid_product, "1")
    invoice = inv.invoice_post(invoice=inv.invoice_create_from_order(order=order, user=seller), user=seller)
    with pytest.raises(ConflictError):
        inv.invoice_post(invoice=invoice, user=seller)


def test_posted_invoice_is_frozen_in_the_model(make_order, prepaid_product, seller):
    order, _ = make_order(prepaid_product, "1")
    invoice = inv.invoice_post(invoice=inv.invoice_create_from_order(order=order, user=seller), user=seller)
    invoice.amount_total = D("1.00")
    with pytest.raises(ConflictError):
        invoice.save()
    with pytest.raises(ConflictError):
        Invoice.objects.get(pk=invoice.pk).delete()
    line = InvoiceLine.objects.get(invoice=invoice)
    line.quantity = D("7")
    with pytest.raises(ConflictError):
        line.save()
    stored = Invoice.objects.get(pk=invoice.pk)
    stored.sent_at = stored.posted_at
    stored.save()  # the document fields may still be written


# --- billed timesheets, cancel, credit note --------------------------------------------------


def test_billed_timesheet_line_cannot_be_edited_or_deleted(
    make_order, timesheet_product, seller, worker, project
):
    order, line = make_order(timesheet_product, "10")
    timesheet = log(worker, "2", line, project)
    invoice = inv.invoice_create_from_order(order=order, user=seller)
    with pytest.raises(ConflictError, match="cancel the draft or issue a credit note first"):
        ts.timesheet_update(line=timesheet, user=worker, hours=D("3"))
    with pytest.raises(ConflictError, match="billed on invoice"):
        ts.timesheet_delete(line=timesheet, user=worker)
    stale = TimesheetLine.objects.get(pk=timesheet.pk)
    stale.hours = D("9")
    with pytest.raises(ConflictError):
        stale.save()
    with pytest.raises(ConflictError):
        stale.delete()
    inv.invoice_cancel(invoice=invoice, user=seller)
    assert fresh(invoice).state == "cancel"
    assert fresh(timesheet).invoice is None
    assert (fresh(line).qty_invoiced, line.qty_to_invoice) == (D("0"), D("2.00"))
    ts.timesheet_update(line=timesheet, user=worker, hours=D("3"))
    assert fresh(line).qty_to_invoice == D("3.00")


def test_posted_invoice_cannot_be_cancelled(make_order, prepaid_product, seller):
    order, _ = make_order(prepaid_product, "1")
    invoice = inv.invoice_post(invoice=inv.invoice_create_from_order(order=order, user=seller), user=seller)
    with pytest.raises(ConflictError):
        inv.invoice_cancel(invoice=invoice, user=seller)


def test_full_credit_note_makes_the_time_billable_again(
    make_order, timesheet_product, seller, worker, project
):
    order, line = make_order(timesheet_product, "10")
    lines = [log(worker, "2", line, project), log(worker, "1.5", line, project)]
    invoice = inv.invoice_post(invoice=inv.invoice_create_from_order(order=order, user=seller), user=seller)
    assert fresh(line).qty_invoiced == D("3.50")
    credit = inv.invoice_credit_note(invoice=invoice, user=seller)
    assert (credit.kind, credit.state, credit.number, credit.reversed_invoice) == (
        "credit_note",
        "posted",
        f"RINV/{TODAY.year}/00001",
        invoice,
    )
    assert credit.amount_total == invoice.amount_total
    assert all(fresh(x).invoice is None for x in lines)
    assert (fresh(line).qty_invoiced, line.qty_to_invoice, line.invoice_status) == (
        D("0"),
        D("3.50"),
        "to_invoice",
    )
    with pytest.raises(ConflictError):
        inv.invoice_credit_note(invoice=invoice, user=seller)
    again = inv.invoice_create_from_order(order=order, user=seller)
    assert again.lines.get().quantity == D("3.50")
    assert again.timesheets.count() == 2
    assert fresh(line).qty_invoiced == D("3.50")


def test_draft_cannot_be_credited(make_order, prepaid_product, seller):
    order, _ = make_order(prepaid_product, "1")
    with pytest.raises(ConflictError):
        inv.invoice_credit_note(invoice=inv.invoice_create_from_order(order=order, user=seller), user=seller)


def test_order_with_invoices_cannot_be_cancelled_until_credited(make_order, prepaid_product, seller):
    order, _ = make_order(prepaid_product, "1")
    invoice = inv.invoice_post(invoice=inv.invoice_create_from_order(order=order, user=seller), user=seller)
    with pytest.raises(ConflictError):
        sales.order_cancel(order=order, user=seller)
    inv.invoice_credit_note(invoice=invoice, user=seller)
    assert sales.order_cancel(order=order, user=seller).state == "cancel"


# --- payments --------------------------------------------------------------------------------


def test_payments_move_the_payment_state(make_order, prepaid_product, seller):
    order, _ = make_order(prepaid_product, "1")
    invoice = inv.invoice_post(invoice=inv.invoice_create_from_order(order=order, user=seller), user=seller)
    inv.invoice_register_payment(invoice=invoice, amount=D("200.00"), date=TODAY, user=seller)
    assert (invoice.amount_paid, invoice.payment_state, invoice.amount_due) == (
        D("200.00"),
        "partial",
        D("300.00"),
    )
    with pytest.raises(DomainError) as exc:
        inv.invoice_register_payment(invoice=invoice, amount=D("300.01"), date=TODAY, user=seller)
    assert exc.value.field == "amount"
    payment = inv.invoice_register_payment(
        invoice=invoice, amount=D("300"), date=TODAY, user=seller, reference="WIRE"
    )
    assert (payment.reference, fresh(invoice).payment_state, invoice.amount_due) == (
        "WIRE",
        "paid",
        D("0.00"),
    )


@pytest.mark.parametrize("amount", [D("0"), D("-1"), "abc", D("1.001")])
def test_bad_payment_amounts_are_refused(make_order, prepaid_product, seller, amount):
    order, _ = make_order(prepaid_product, "1")
    invoice = inv.invoice_post(invoice=inv.invoice_create_from_order(order=order, user=seller), user=seller)
    with pytest.raises(DomainError) as exc:
        inv.invoice_register_payment(invoice=invoice, amount=amount, date=TODAY, user=seller)
    assert exc.value.field == "amount"
    assert not invoice.payments.exists()


def test_draft_cannot_be_paid(make_order, prepaid_product, seller):
    order, _ = make_order(prepaid_product, "1")
    invoice = inv.invoice_create_from_order(order=order, user=seller)
    with pytest.raises(ConflictError):
        inv.invoice_register_payment(invoice=invoice, amount=D("1"), date=TODAY, user=seller)


def test_other_customer_orders_stay_apart(make_order, prepaid_product, seller):
    order_a, _ = make_order(prepaid_product, "1")
    order_b, _ = make_order(prepaid_product, "2", customer=CustomerFactory(name="Initech"))
    invoice = inv.invoice_create_from_order(order=order_b, user=seller)
    assert invoice.customer == order_b.customer
    assert fresh(order_a).invoice_status == "to_invoice"


def test_deleting_a_draft_invoice_releases_its_time(make_order, timesheet_product, seller, worker, project):
    order, line = make_order(timesheet_product, "10")
    timesheet = log(worker, "2", line, project)
    invoice = inv.invoice_create_from_order(order=order, user=seller)
    assert AuditEvent.objects.filter(action="invoice.create", object_id=invoice.pk).exists()
    Invoice.objects.get(pk=invoice.pk).delete()
    assert fresh(timesheet).invoice is None
    assert (fresh(line).qty_invoiced, line.qty_to_invoice) == (D("0"), D("2.00"))
