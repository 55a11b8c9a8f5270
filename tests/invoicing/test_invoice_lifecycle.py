"""An invoice's life after its creation: posting (number, dates, signal, frozen), billed
timesheet lines, cancelling, credit notes, payments and deleting a draft."""

import datetime
from decimal import Decimal

import pytest

from audit.models import AuditEvent
from core.errors import ConflictError, DomainError
from invoicing import services as inv
from invoicing.models import Invoice, InvoiceLine
from invoicing.signals import invoice_posted
from sales import services as sales
from tests.clock import TODAY, frozen_on
from tests.factories import CustomerFactory
from tests.invoicing.helpers import fresh, log
from timesheets import services as ts
from timesheets.models import TimesheetLine

pytestmark = [pytest.mark.django_db, frozen_on(TODAY)]

D = Decimal


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
    make_order, timesheet_product, seller, agent, project
):
    order, line = make_order(timesheet_product, "10")
    timesheet = log(agent, "2", line, project)
    invoice = inv.invoice_create_from_order(order=order, user=seller)
    with pytest.raises(ConflictError, match="cancel the draft or issue a credit note first"):
        ts.timesheet_update(line=timesheet, user=agent, hours=D("3"))
    with pytest.raises(ConflictError, match="billed on invoice"):
        ts.timesheet_delete(line=timesheet, user=agent)
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
    ts.timesheet_update(line=timesheet, user=agent, hours=D("3"))
    assert fresh(line).qty_to_invoice == D("3.00")


def test_posted_invoice_cannot_be_cancelled(make_order, prepaid_product, seller):
    order, _ = make_order(prepaid_product, "1")
    invoice = inv.invoice_post(invoice=inv.invoice_create_from_order(order=order, user=seller), user=seller)
    with pytest.raises(ConflictError):
        inv.invoice_cancel(invoice=invoice, user=seller)


def test_full_credit_note_makes_the_time_billable_again(
    make_order, timesheet_product, seller, agent, project
):
    order, line = make_order(timesheet_product, "10")
    lines = [log(agent, "2", line, project), log(agent, "1.5", line, project)]
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


def test_deleting_a_draft_invoice_releases_its_time(make_order, timesheet_product, seller, agent, project):
    order, line = make_order(timesheet_product, "10")
    timesheet = log(agent, "2", line, project)
    invoice = inv.invoice_create_from_order(order=order, user=seller)
    assert AuditEvent.objects.filter(action="invoice.create", object_id=invoice.pk).exists()
    Invoice.objects.get(pk=invoice.pk).delete()
    assert fresh(timesheet).invoice is None
    assert (fresh(line).qty_invoiced, line.qty_to_invoice) == (D("0"), D("2.00"))
