"""A posted invoice whose PDF the background task has not stored yet: the invoice page says
"PDF being prepared…" and turns to "PDF ready" by itself once it is stored; the list says so too."""

import pytest

from invoicing import documents
from tests.factories import UserFactory, invoice_with_lines

pytestmark = pytest.mark.django_db(transaction=True)


def test_invoice_page_shows_the_pdf_being_prepared_until_it_is_stored(page, login, shot):
    from playwright.sync_api import expect

    accountant = UserFactory(username="e2e-pdf-accountant", roles=["accountant"])
    invoice = invoice_with_lines()  # posted; the rendering task has not run
    login(page, accountant)

    page.goto("/invoicing/invoices/")
    expect(page.get_by_text("PDF being prepared").first).to_be_visible()
    shot(page, "invoice-list-pdf-being-prepared")
    page.goto(f"/invoicing/invoices/{invoice.pk}/")
    status = page.locator("#pdf-status")
    expect(status).to_have_text("PDF being prepared…")
    shot(page, "invoice-pdf-being-prepared")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "invoice-pdf-being-prepared-390")
    page.set_viewport_size({"width": 1366, "height": 900})

    documents.invoice_pdf_bytes(invoice=invoice)  # what the task does: render and store once

    expect(status).to_have_text("PDF ready")  # the badge polls every 2 s
    shot(page, "invoice-pdf-ready")
