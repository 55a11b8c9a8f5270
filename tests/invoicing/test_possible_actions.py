"""Only possible actions are offered (issue 14 item 8): the buttons follow the state rules the
services enforce, every action ends in a message, the Period column reads on every time line."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from core.errors import DomainError
from invoicing import services as invoicing
from invoicing.services import invoice_credit_note
from sales import services as sales
from sales.models import Order
from tests.factories import CustomerFactory, ProductFactory, ProjectFactory
from timesheets.services import timesheet_log

pytestmark = pytest.mark.django_db


@pytest.fixture
def prepaid_order(seller):
    """A confirmed order of one prepaid 10 h block at 500.00 (nothing invoiced yet)."""
    customer = CustomerFactory(name="Cyberdyne", email="ap@cyberdyne.example")
    order = sales.order_create(
        customer=customer, user=seller, lines=[{"product": ProductFactory(), "quantity": 10}]
    )
    return sales.order_confirm(order=order, user=seller)


def order_page(client, order) -> str:
    return client.get(reverse("sales:order_detail", args=[order.pk])).content.decode()


def test_a_fully_invoiced_order_offers_no_create_invoice_and_the_service_refuses_it(
    client, seller, prepaid_order
):
    client.force_login(seller)
    page = order_page(client, prepaid_order)
    assert "Create invoice" in page and "Cancel order" in page
    invoicing.invoice_create_from_order(order=prepaid_order, user=seller)
    prepaid_order.refresh_from_db()
    assert prepaid_order.invoice_status == Order.InvoiceStatus.INVOICED
    assert not prepaid_order.is_invoiceable
    page = order_page(client, prepaid_order)
    # Neither a second invoice nor a cancellation (order_cancel refuses an invoiced order).
    assert "Create invoice" not in page and "Cancel order" not in page
    # The same rule on the server: no regular invoice, no down payment either.
    for method, amount in (("regular", None), ("down_payment_percent", Decimal("10"))):
        with pytest.raises(DomainError, match="nothing to invoice"):
            invoicing.invoice_create_from_order(
                order=prepaid_order, user=seller, method=method, amount=amount
            )
    dialog = client.get(reverse("invoicing:order_invoice_create", args=[prepaid_order.pk])).content.decode()
    assert "is fully invoiced: nothing is left to bill" in dialog


def test_a_credited_invoice_offers_no_second_credit_note(client, seller, accountant, prepaid_order):
    invoice = invoicing.invoice_create_from_order(order=prepaid_order, user=seller)
    invoicing.invoice_post(invoice=invoice, user=accountant)
    client.force_login(accountant)
    url = reverse("invoicing:invoice_detail", args=[invoice.pk])
    html = client.get(url).content.decode()
    assert "Full credit note" in html and "Partial credit note" in html
    assert "Send by e-mail" in html
    prepaid_order.customer.email = ""
    prepaid_order.customer.save(update_fields=["email"])
    assert "Send by e-mail" not in client.get(url).content.decode()  # nobody to send it to
    invoice_credit_note(invoice=invoice, user=accountant)
    html = client.get(url).content.decode()
    assert "Full credit note" not in html and "Partial credit note" not in html


def test_posting_and_paying_end_in_a_message_with_money_and_its_currency(
    client, seller, accountant, prepaid_order
):
    invoice = invoicing.invoice_create_from_order(order=prepaid_order, user=seller)
    client.force_login(accountant)
    response = client.post(reverse("invoicing:invoice_post", args=[invoice.pk]), follow=True)
    assert "Invoice posted as " in " ".join(str(m) for m in response.context["messages"])
    invoice.refresh_from_db()
    response = client.post(
        reverse("invoicing:invoice_pay", args=[invoice.pk]),
        {
            "amount": "2000",
            "date": invoice.invoice_date.isoformat(),
            "method": "bank_transfer",
            "reference": "x",
        },
        follow=True,
    )
    assert "Payment of 2,000.00 EUR registered." in [str(m) for m in response.context["messages"]]
    assert "5,000.00 EUR" in response.content.decode()  # the invoice total, grouped, with currency


def test_the_period_column_shows_the_billed_time_when_no_period_was_chosen(client, seller, agent):
    customer = CustomerFactory()
    order = sales.order_create(
        customer=customer, user=seller, lines=[{"product": ProductFactory(timesheet=True), "quantity": 5}]
    )
    order = sales.order_confirm(order=order, user=seller)
    project = ProjectFactory(customer=customer)
    for day in (datetime.date(2026, 11, 3), datetime.date(2026, 11, 17)):
        timesheet_log(
            employee=agent,
            date=day,
            hours=Decimal("1"),
            user=agent,
            project=project,
            sale_line=order.lines.get(),
        )
    invoice = invoicing.invoice_create_from_order(order=order, user=seller)
    client.force_login(seller)
    html = client.get(reverse("invoicing:invoice_detail", args=[invoice.pk])).content.decode()
    assert "2026-11-03 – 2026-11-17" in html


def test_logging_out_says_you_are_signed_out(client, agent):
    client.force_login(agent)
    response = client.post(reverse("logout"), follow=True)
    assert "You are signed out." in response.content.decode()
