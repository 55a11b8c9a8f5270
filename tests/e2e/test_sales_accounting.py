"""Journey: quotation → confirmation → nothing to invoice → time logged → invoice for a period →
posted by an accountant → partial and full payment → PDF downloaded. Screenshots of every screen."""

import datetime
import re
import subprocess
from decimal import Decimal

import facturx
from playwright.sync_api import expect

from invoicing.models import Invoice
from sales.models import Order
from tests.e2e.combobox import pick_by_keyboard
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.htmx import htmx_idle
from tests.factories import CustomerFactory, ProductFactory, ProjectFactory, TaxFactory, UserFactory
from timesheets.services import timesheet_log


def logout(page):
    page.click("form[action='/logout/'] button")
    page.wait_for_url(re.compile(r"/login/"))


def test_sales_and_accountant_bill_postpaid_time(page, login, shot, transactional_db):
    seller = UserFactory(username="e2e-sales", first_name="Sam", last_name="Seller", roles=["sales"])
    accountant = UserFactory(
        username="e2e-accountant", first_name="Alex", last_name="Books", roles=["accountant"]
    )
    agent = UserFactory(username="e2e-agent", first_name="Ada", last_name="Agent", roles=["agent"])
    tax = TaxFactory(rate=Decimal("21.000"))
    customer = CustomerFactory(name="Cyberdyne Systems", email="ap@cyberdyne.example")
    ProductFactory(name="Service on Timesheets", timesheet=True, price=Decimal("100.00"), tax=tax)

    login(page, seller)
    order = sales_writes_a_quotation_for_postpaid_time(page, shot, customer)
    sales_edits_the_header_of_the_quotation(page, shot)
    sales_confirms_and_finds_nothing_to_invoice_yet(page, shot)
    today = agent_logs_time_on_the_order(agent, order, customer)
    invoice = sales_invoices_the_time_of_a_period(page, shot, order, today)
    sales_finds_the_order_and_the_customer(page, shot, order)
    logout(page)

    login(page, accountant)
    accountant_posts_the_invoice_and_registers_two_payments(page, shot, invoice)
    accountant_downloads_the_pdf(page, invoice)
    page.goto("/invoicing/invoices/")
    expect(page.locator("table.list")).to_contain_text(invoice.number)
    shot(page, "accounting-invoice-list")


def sales_writes_a_quotation_for_postpaid_time(page, shot, customer) -> Order:
    page.click(".mainnav a:has-text('Orders')")
    page.click("text=New quotation")
    pick_by_keyboard(page, "id_customer", "Cyberdyne", "Cyberdyne Systems")
    page.fill("input[name=client_reference]", "PO-2026-17")
    page.click("button:has-text('Create quotation')")
    expect(page.locator("h1")).to_contain_text("Quotation SO")
    order = Order.objects.get(customer=customer)

    # The new row's htmx attributes are live once htmx has processed it; its quantity field then
    # fires a `load` request for the totals, which is the signal to wait for.
    with page.expect_response(lambda response: "/lines/compute/" in response.url):
        page.click("button:has-text('Add a line')")
    page.select_option("#line-new-product", label="Service on Timesheets")
    expect(page.locator("#line-new-price_unit")).to_have_value("100.00")
    expect(page.locator("#line-new-uom option:checked")).to_have_text("Hours")
    htmx_idle(page)
    page.fill("#line-new-quantity", "20")
    page.press("#line-new-quantity", "Tab")
    expect(page.locator("#amt-total-new")).to_have_text("2,420.00 EUR")
    shot(page, "sales-order-form-editing")
    page.click("#line-row-new button:has-text('Save')")
    expect(page.locator(".order-totals .grand")).to_contain_text("2,420.00")
    shot(page, "sales-order-form")
    return order


def sales_edits_the_header_of_the_quotation(page, shot):
    """The header of the quotation is editable while it is a draft; errors show next to the field."""
    page.click("#edit-header")
    page.fill("input[name=header-client_reference]", "PO-2026-18")
    page.fill("textarea[name=header-note]", "Work on site, Mondays only.")
    page.fill("input[name=header-order_date]", "")
    page.click("button:has-text('Save header')")
    expect(page.locator("#field-header-order_date, .field.has-error")).to_contain_text(
        "This field is required"
    )
    shot(page, "sales-order-header-error")
    page.fill("input[name=header-order_date]", "2026-11-20")
    page.click("button:has-text('Save header')")
    expect(page.locator(".msg-success")).to_contain_text("saved")
    expect(page.locator("dl.facts")).to_contain_text("PO-2026-18")
    expect(page.locator(".note")).to_contain_text("Mondays only")
    shot(page, "sales-order-header-saved")


def sales_confirms_and_finds_nothing_to_invoice_yet(page, shot):
    page.click("button:has-text('Confirm')")
    expect(page.locator(".msg-success")).to_contain_text("confirmed")
    expect(page.locator("table.lines th", has_text="Remaining hours")).to_be_visible()

    page.click("button:has-text('Create invoice')")
    dialog = page.locator("#modal .modal")
    expect(dialog).to_contain_text("nothing to invoice")
    expect(dialog.locator("input[name=period_start]")).to_be_visible()
    shot(page, "sales-invoice-dialog-nothing")
    dialog.locator("button:has-text('Close')").click()
    expect(page.locator("#modal .modal")).to_have_count(0)


def agent_logs_time_on_the_order(agent, order, customer) -> datetime.date:
    """Through the timesheets service: 2.50 h six days ago, 1.25 h three days ago, 1.00 h today."""
    line = order.lines.get()
    project = ProjectFactory(customer=customer, name="Cyberdyne support")
    today = datetime.date.today()
    for days_ago, hours, text in (
        (6, "2.50", "VPN outage"),
        (3, "1.25", "Backup check"),
        (0, "1.00", "Call"),
    ):
        timesheet_log(
            employee=agent,
            date=today - datetime.timedelta(days=days_ago),
            hours=Decimal(hours),
            user=agent,
            project=project,
            sale_line=line,
            description=text,
        )
    return today


def sales_invoices_the_time_of_a_period(page, shot, order, today) -> Invoice:
    page.reload()
    expect(page.locator("table.lines")).to_contain_text("4.75")  # delivered
    page.click("button:has-text('Create invoice')")
    dialog = page.locator("#modal .modal")
    expect(dialog.locator(".preview table")).to_contain_text("574.75")  # all 4.75 h
    dialog.locator("input[name=period_start]").fill((today - datetime.timedelta(days=7)).isoformat())
    dialog.locator("input[name=period_end]").fill((today - datetime.timedelta(days=1)).isoformat())
    dialog.locator("button:has-text('Preview')").click()
    expect(page.locator("#modal .preview table")).to_contain_text("453.75")  # 3.75 h × 100 + 21 %
    shot(page, "sales-invoice-dialog")
    page.locator("#modal button:has-text('Create draft invoice')").click()
    page.wait_for_url(re.compile(r"/invoicing/invoices/\d+/"))
    expect(page.locator("h1")).to_contain_text("(draft)")
    expect(page.locator("body")).to_contain_text("VPN outage")
    expect(page.locator("button:has-text('Post')")).to_have_count(0)  # sales does not post
    invoice = Invoice.objects.get(order=order)
    assert invoice.amount_total == Decimal("453.75")
    shot(page, "sales-invoice-draft")
    return invoice


def sales_finds_the_order_and_the_customer(page, shot, order):
    page.goto(f"/sales/orders/{order.pk}/")
    shot(page, "sales-order-confirmed")
    page.goto("/sales/orders/")
    shot(page, "sales-order-list")
    page.click(".mainnav a:has-text('Customers')")
    shot(page, "sales-customer-list")
    page.click("a:has-text('Cyberdyne Systems')")
    expect(page.locator("h1")).to_have_text("Cyberdyne Systems")
    expect(page.locator("body")).to_contain_text(order.name)
    shot(page, "sales-customer-detail")


def accountant_posts_the_invoice_and_registers_two_payments(page, shot, invoice):
    page.click(".mainnav a:has-text('Invoices')")
    page.click(f"a[href='/invoicing/invoices/{invoice.pk}/']")
    page.click("button:has-text('Post')")
    expect(page.locator(".msg-success")).to_contain_text("Invoice posted as INV/")
    page.click("button:has-text('Register payment')")
    pay = page.locator("#modal .modal")
    expect(pay.locator("input[name=amount]")).to_have_value("453.75")
    pay.locator("input[name=amount]").fill("500")
    pay.locator("button:has-text('Register payment')").click()
    expect(page.locator("#modal .modal")).to_contain_text("more than the amount due")
    page.locator("#modal input[name=amount]").fill("200.00")
    page.locator("#modal input[name=reference]").fill("Bank 0001")
    shot(page, "accounting-payment-dialog")
    page.locator("#modal button:has-text('Register payment')").click()
    expect(page.locator(".msg-success")).to_contain_text("Payment of 200.00 EUR registered.")
    expect(page.locator(".badge.partial")).to_be_visible()
    page.click("button:has-text('Register payment')")
    expect(page.locator("#modal input[name=amount]")).to_have_value("253.75")
    page.locator("#modal button:has-text('Register payment')").click()
    expect(page.locator(".badge.paid")).to_be_visible()
    shot(page, "accounting-invoice-detail")


def accountant_downloads_the_pdf(page, invoice):
    """The PDF reads back with the number, the customer and the total, and carries Factur-X."""
    with page.expect_download() as download_info:
        page.click("a:has-text('Download PDF')")
    download = download_info.value
    pdf_path = ARTIFACTS / "invoice.pdf"
    download.save_as(pdf_path)
    data = pdf_path.read_bytes()
    assert data.startswith(b"%PDF")
    invoice.refresh_from_db()
    assert invoice.payment_state == "paid" and invoice.pdf_sha256
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", str(pdf_path), str(ARTIFACTS / "invoice-pdf")],
        check=True,
    )
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert invoice.number in text and "Cyberdyne Systems" in text and "453.75" in text
    _name, xml = facturx.get_facturx_xml_from_pdf(data, check_xsd=False)
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
