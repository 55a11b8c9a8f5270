"""Journey: a Belgian customer switched to Peppol, its invoice posted and handed to the access
point (folder drop), the e-invoice status and XML on the invoice page. Screenshots at 1366/390."""

import datetime
from decimal import Decimal

from playwright.sync_api import expect

from invoicing import services as invoicing
from invoicing.models import PeppolDocument
from sales import services as sales
from tests.factories import CustomerFactory, ProductFactory, TaxFactory, UserFactory


def test_accountant_sends_an_invoice_over_peppol(page, login, shot, transactional_db, settings, tmp_path):
    settings.PEPPOL_SENDER, settings.PEPPOL_OUTBOX_DIR = "folder", tmp_path / "outbox"
    accountant = UserFactory(
        username="e2e-peppol", first_name="Alex", last_name="Books", roles=["accountant", "sales"]
    )
    customer = CustomerFactory(
        name="Brasserie Dupont SRL",
        vat="",
        country="BE",
        city="Brussels",
        zip="1000",
        street="Rue de la Loi 16",
    )
    product = ProductFactory(
        name="Managed services", price=Decimal("450.00"), tax=TaxFactory(rate=Decimal("21.000"))
    )
    order = sales.order_create(
        customer=customer,
        user=accountant,
        order_date=datetime.date(2026, 11, 2),
        lines=[{"product": product, "quantity": Decimal("2")}],
    )
    sales.order_confirm(order=order, user=accountant)
    draft = invoicing.invoice_create_from_order(order=order, user=accountant)

    login(page, accountant)
    page.goto(f"/sales/customers/{customer.pk}/edit/")
    page.select_option("select[name=delivery_channel]", "peppol")
    page.click("button:has-text('Save')")
    expect(page.locator(".field.has-error")).to_contain_text("Peppol id")
    page.fill("input[name=vat]", "BE0456712325")
    page.fill("input[name=peppol_id]", "")
    shot(page, "peppol-customer-form-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "peppol-customer-form-390")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.click("button:has-text('Save')")
    expect(page.locator("body")).to_contain_text("0208:0456712325")

    page.goto(f"/invoicing/invoices/{draft.pk}/")
    page.click("button:has-text('Post')")
    expect(page.locator(".einvoice-card")).to_contain_text("Sent")
    document = PeppolDocument.objects.get(invoice=draft)
    assert (tmp_path / "outbox" / document.provider_reference).exists()
    with page.expect_download() as download:
        page.click("text=Download XML (UBL)")
    assert download.value.suggested_filename.endswith(".xml")
    shot(page, "peppol-invoice-page-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "peppol-invoice-page-390")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/invoicing/invoices/")
    expect(page.locator("table.list")).to_contain_text("Peppol: sent")
    shot(page, "peppol-invoice-list-1366")
