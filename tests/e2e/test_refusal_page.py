"""A refusal in the browser: the styled 403 page says why and offers a way back, at 1366 and 390 px."""

import pytest
from django.urls import reverse

from invoicing.models import Invoice
from tests.factories import InvoiceFactory, UserFactory


@pytest.mark.parametrize("width", [1366, 390])
def test_a_refused_page_says_why_and_leads_back(page, login, shot, width, transactional_db):
    from playwright.sync_api import expect

    page.set_viewport_size({"width": width, "height": 844 if width < 800 else 900})
    sales = UserFactory(username="refused-sales", roles=["sales"])
    posted = InvoiceFactory(state=Invoice.State.POSTED, number="INV/2026/07001")
    login(page, sales)
    page.goto(reverse("invoicing:invoice_detail", args=[posted.pk]))
    # Followed from the invoice page (so the browser sends it as the Referer): a posted PDF is
    # the accountants'.
    with page.expect_navigation():
        page.evaluate(
            "url => { window.location.href = url }", reverse("invoicing:invoice_pdf", args=[posted.pk])
        )
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(
        page.get_by_text("Only accountants download posted invoices; sales download drafts.")
    ).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, f"refusal-403-{width}")
    page.get_by_role("link", name="Go back").click()
    page.wait_for_url(f"**{reverse('invoicing:invoice_detail', args=[posted.pk])}")

    contact = UserFactory(username="refused-contact", roles=["customer"])
    page.context.clear_cookies()
    login(page, contact)
    page.goto("/helpdesk/")
    expect(page.get_by_text("The helpdesk is for staff.")).to_be_visible()
    expect(page.get_by_role("link", name="Go to your home page")).to_be_visible()
    shot(page, f"refusal-403-helpdesk-{width}")
