"""Journey: a salesperson edits a quotation line and confirms the order in the browser; the order
page's History card shows both, newest first, with before → after values; the invoice page's card
shows the posting and the payment. Screenshots at 1366 and 390 px wide."""

import datetime
from decimal import Decimal

from django.urls import reverse
from playwright.sync_api import expect

from invoicing import services as invoicing
from sales import services as sales
from tests.factories import CustomerFactory, ProductFactory, TaxFactory, UserFactory


def test_history_cards_of_an_order_and_its_invoice(page, login, shot, transactional_db):
    seller = UserFactory(
        username="e2e-seller", first_name="Sam", last_name="Seller", roles=["sales", "accountant"]
    )
    customer = CustomerFactory(name="Initech")
    product = ProductFactory(
        name="Prepaid support block",
        price=Decimal("95.00"),
        tax=TaxFactory(name="VAT 21%", rate=Decimal("21")),
    )
    order = sales.order_create(customer=customer, user=seller, lines=[{"product": product, "quantity": 40}])
    sales.order_line_update(line=order.lines.get(), user=seller, quantity=Decimal("42.5"))

    login(page, seller)
    page.goto(reverse("sales:order_detail", args=[order.pk]))
    page.get_by_role("button", name="Confirm").click()
    card = page.locator("#history")
    expect(card.locator(".history-event").first).to_contain_text("Confirmed")
    expect(card).to_contain_text("Line edited")
    expect(card).to_contain_text("40.00")
    expect(card).to_contain_text("42.50")
    card.scroll_into_view_if_needed()
    shot(page, "history-order-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "history-order-390")

    invoice = invoicing.invoice_create_from_order(order=order, user=seller)
    invoice = invoicing.invoice_post(invoice=invoice, user=seller)
    invoicing.invoice_register_payment(
        invoice=invoice, amount=Decimal("1000.00"), date=datetime.date.today(), user=seller
    )
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(reverse("invoicing:invoice_detail", args=[invoice.pk]))
    card = page.locator("#history")
    expect(card.locator(".history-event").first).to_contain_text("Payment registered")
    expect(card).to_contain_text(invoice.number)
    shot(page, "history-invoice-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "history-invoice-390")
