"""Journey: an accountant credits part of a posted, unpaid invoice in the browser dialog; the credit
note settles that part, the invoice keeps the rest due, the list shows the credit note negative.
Screenshots at 1366 and 390 px wide."""

import datetime
from decimal import Decimal

from playwright.sync_api import expect

from invoicing import services as invoicing
from invoicing.models import Invoice
from sales import services as sales
from tests.e2e.htmx import htmx_idle
from tests.factories import CustomerFactory, ProductFactory, ProjectFactory, TaxFactory, UserFactory
from timesheets.models import TimesheetLine
from timesheets.services import timesheet_log


def posted_invoice(accountant):
    """3.75 h (2 h, 1 h, 0.75 h) at 100.00/h + 21 %: 453.75, posted, not paid."""
    customer = CustomerFactory(name="Initech", email="ap@initech.example")
    product = ProductFactory(
        name="Service on Timesheets", timesheet=True, tax=TaxFactory(name="VAT 21%", rate=Decimal("21"))
    )
    order = sales.order_create(
        customer=customer, user=accountant, lines=[{"product": product, "quantity": 10}]
    )
    sales.order_confirm(order=order, user=accountant)
    project = ProjectFactory(customer=customer)
    day = datetime.date.today() - datetime.timedelta(days=3)
    for offset, hours in enumerate(("2", "1", "0.75")):
        timesheet_log(
            employee=accountant,
            user=accountant,
            date=day + datetime.timedelta(days=offset),
            hours=Decimal(hours),
            project=project,
            sale_line=order.lines.get(),
            description=f"Support {offset + 1}",
        )
    invoice = invoicing.invoice_create_from_order(order=order, user=accountant)
    return invoicing.invoice_post(invoice=invoice, user=accountant)


def test_accountant_issues_a_partial_credit_note_in_the_dialog(page, login, shot, transactional_db):
    accountant = UserFactory(username="e2e-books", first_name="Alex", last_name="Books", roles=["accountant"])
    invoice = posted_invoice(accountant)
    line = invoice.lines.get()

    login(page, accountant)
    page.goto(f"/invoicing/invoices/{invoice.pk}/")
    expect(page.locator("button:has-text('Full credit note')")).to_be_visible()
    page.click("text=Partial credit note")
    dialog = page.locator(".modal[role=dialog]")
    expect(dialog).to_contain_text("Partial credit note")
    field = dialog.locator(f"#qty_{line.pk}")

    field.fill("5")
    dialog.locator("button:has-text('Issue credit note')").click()
    expect(dialog.locator(".form-errors")).to_contain_text("at most 3.75 can still be credited")
    shot(page, "credit-note-dialog-error")

    dialog.locator(f"#qty_{line.pk}").fill("0.75")
    shot(page, "credit-note-dialog")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "credit-note-dialog-390")
    page.set_viewport_size({"width": 1366, "height": 900})
    dialog.locator("button:has-text('Issue credit note')").click()
    expect(page.locator("h1")).to_contain_text("Credit note RINV/")
    note = Invoice.objects.get(kind=Invoice.Kind.CREDIT_NOTE)
    expect(page.locator("h1")).to_contain_text(note.number)
    expect(page.locator(".totals-card")).to_contain_text("90.75")
    shot(page, "credit-note-detail")

    invoice.refresh_from_db()
    assert (invoice.payment_state, invoice.amount_due) == ("partial", Decimal("363.00"))
    assert TimesheetLine.objects.filter(invoice__isnull=True).count() == 1

    page.goto(f"/invoicing/invoices/{invoice.pk}/")
    expect(page.locator("button:has-text('Full credit note')")).to_have_count(0)
    expect(page.locator(".totals-card")).to_contain_text("363.00")
    shot(page, "credit-note-invoice-after")

    page.goto("/invoicing/invoices/")
    expect(page.locator("table.list")).to_contain_text("-90.75")
    htmx_idle(page)
    shot(page, "credit-note-invoice-list")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "credit-note-invoice-list-390")
