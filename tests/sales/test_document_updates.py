"""Header changes of quotations and date changes of draft invoices go through services."""

import datetime
from decimal import Decimal

import pytest

from audit.models import AuditEvent
from core.errors import ConflictError, DomainError
from invoicing import services as invoicing
from sales import services as sales
from tests.clock import TODAY, frozen_on
from tests.factories import CustomerFactory

pytestmark = frozen_on(TODAY)


def test_quotation_header_changes_are_saved_and_audited(make_order, prepaid_product, seller):
    order, _ = make_order(prepaid_product, "10", confirm=False)
    other = CustomerFactory(name="Initech")

    sales.order_update(order=order, user=seller, customer=other, client_reference="PO-9", note="Rush")

    order.refresh_from_db()
    assert (order.customer, order.client_reference, order.note) == (other, "PO-9", "Rush")
    event = AuditEvent.objects.get(action="order.update", object_id=order.pk)
    assert event.changes == {
        "customer": ["Globex", "Initech"],
        "client_reference": ["", "PO-9"],
        "note": ["", "Rush"],
    }


def test_confirmed_order_header_cannot_change(make_order, prepaid_product, seller):
    order, _ = make_order(prepaid_product, "10")

    with pytest.raises(ConflictError, match="only quotations"):
        sales.order_update(order=order, user=seller, client_reference="PO-late")
    order.refresh_from_db()
    assert order.client_reference == ""


def test_order_update_refuses_an_empty_customer(make_order, prepaid_product, seller):
    order, _ = make_order(prepaid_product, "10", confirm=False)

    with pytest.raises(DomainError) as error:
        sales.order_update(order=order, user=seller, customer=None)
    assert error.value.field == "customer"


def test_draft_invoice_dates_change_and_a_due_date_before_the_invoice_date_is_refused(
    make_order, prepaid_product, seller
):
    order, _ = make_order(prepaid_product, "10")
    invoice = invoicing.invoice_create_from_order(order=order, user=seller)

    invoicing.invoice_update(invoice=invoice, user=seller, invoice_date=datetime.date(2026, 11, 30))
    invoice.refresh_from_db()
    assert invoice.invoice_date == datetime.date(2026, 11, 30)

    with pytest.raises(DomainError) as error:
        invoicing.invoice_update(invoice=invoice, user=seller, due_date=datetime.date(2026, 11, 1))
    assert error.value.field == "due_date"
    invoice.refresh_from_db()
    assert invoice.due_date is None


def test_posted_invoice_dates_are_frozen(make_order, prepaid_product, seller, accountant):
    order, _ = make_order(prepaid_product, "10")
    invoice = invoicing.invoice_create_from_order(order=order, user=seller)
    invoicing.invoice_post(invoice=invoice, user=accountant)
    posted_due = invoice.due_date

    with pytest.raises(ConflictError, match="only drafts"):
        invoicing.invoice_update(
            invoice=invoice, user=accountant, due_date=posted_due + datetime.timedelta(1)
        )
    invoice.refresh_from_db()
    assert invoice.due_date == posted_due
    assert invoice.amount_total == Decimal("5000.00")
