"""Customer portal journey: a portal contact logs in, sees hours left, tickets and invoices,
and downloads an invoice PDF."""

import datetime
from decimal import Decimal

from invoicing import services as invoicing_services
from sales import services as sales_services
from tests.factories import (
    CustomerFactory,
    ProductFactory,
    TaxFactory,
    TeamFactory,
    TicketFactory,
    UserFactory,
)
from timesheets import services as timesheet_services


def build_customer_world():
    seller = UserFactory(username="e2e-sales", roles=["sales"])
    agent = UserFactory(username="e2e-agent", roles=["agent"])
    accountant = UserFactory(username="e2e-accountant", roles=["accountant"])
    contact = UserFactory(
        username="e2e-customer", first_name="Carla", last_name="Contact", roles=["customer"]
    )
    globex = CustomerFactory(name="Globex Corporation")
    globex.portal_users.add(contact)
    other = CustomerFactory(name="Other Co")
    support = ProductFactory(
        name="Support 50 h", price=Decimal("500.00"), tax=TaxFactory(rate=Decimal("21.000"))
    )
    team = TeamFactory(name="Customer Care", members=[agent])

    def sell(customer, quantity):
        order = sales_services.order_create(
            customer=customer, user=seller, lines=[{"product": support, "quantity": Decimal(quantity)}]
        )
        return sales_services.order_confirm(order=order, user=seller)

    order = sell(globex, "50")
    line = order.lines.get()
    vpn = TicketFactory(title="VPN drops every hour", team=team, customer=globex, sale_line=line)
    TicketFactory(title="New office printers", team=team, customer=globex, sale_line=line)
    today = datetime.date.today()
    # 40.75 h in all, at most 24 h a day.
    for days_ago, hours in ((4, "6.50"), (3, "4.25"), (2, "15.00"), (1, "15.00")):
        timesheet_services.timesheet_log(
            employee=agent,
            user=agent,
            date=today - datetime.timedelta(days=days_ago),
            hours=Decimal(hours),
            ticket=vpn,
            description="Work",
        )
    invoice = invoicing_services.invoice_create_from_order(order=order, user=seller)
    invoicing_services.invoice_post(invoice=invoice, user=accountant)

    other_order = sell(other, "10")
    TicketFactory(
        title="Other customer's ticket", team=team, customer=other, sale_line=other_order.lines.get()
    )
    other_invoice = invoicing_services.invoice_create_from_order(order=other_order, user=seller)
    invoicing_services.invoice_post(invoice=other_invoice, user=accountant)
    return contact, invoice, other_invoice


def test_customer_sees_hours_left_tickets_and_downloads_an_invoice(page, login, shot):
    contact, invoice, other_invoice = build_customer_world()
    invoice.refresh_from_db()
    login(page, contact)
    assert page.url.endswith("/portal/")
    assert page.locator(".mainnav a").all_inner_texts() == ["My portal", "My contracts"]

    total = page.get_by_test_id("hours-left-total")
    assert total.inner_text() == "9.25 h"
    row = page.locator("#prepaid tbody tr").first
    assert row.locator("td.num").all_inner_texts() == ["50.00 h", "40.75 h", "9.25 h"]

    tickets = page.locator("#tickets tbody tr")
    assert tickets.count() == 2
    assert "VPN drops every hour" in page.locator("#tickets").inner_text()
    assert "Other customer's ticket" not in page.content()

    invoices = page.locator("#invoices tbody tr")
    assert invoices.count() == 1
    assert invoice.number in invoices.first.inner_text()
    assert other_invoice.number not in page.content()
    shot(page, "portal-customer-home")

    with page.expect_download() as download_info:
        invoices.first.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == invoice.number.replace("/", "-") + ".pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"


def test_customer_cannot_open_another_customers_invoice(page, login, shot):
    contact, _invoice, other_invoice = build_customer_world()
    login(page, contact)
    response = page.goto(f"/portal/invoices/{other_invoice.pk}/pdf/")
    assert response.status == 404
