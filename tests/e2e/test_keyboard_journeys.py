"""The main journeys work from the keyboard alone (issue 14 item 11): log hours, run the timer,
create and post an invoice. Only Tab, Shift+Tab, Enter, Space and typing: no mouse click. Every
control reached shows a visible focus ring. Built on the demo company (`seed_demo`)."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from helpdesk.models import Ticket
from invoicing.models import Invoice
from sales.models import Order
from tests.e2e.pages import demo_company
from tests.e2e.test_accessibility import blocking_violations
from timesheets.models import TimesheetLine

TAB_LIMIT = 200


def tab_to(page, locator):
    """Press Tab until `locator` holds the focus; its focus ring must show."""
    locator.wait_for(state="visible")
    for _ in range(TAB_LIMIT):
        if locator.evaluate("el => el === document.activeElement"):
            outline = locator.evaluate("el => getComputedStyle(el).outlineStyle")
            assert outline not in ("", "none"), f"no visible focus on {locator}"
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {locator}")


def check_both_widths(page, shot, name):
    """The screen as it is now passes axe (dialogs included) and is shot at 1366 and 390 px."""
    for width in (390, 1366):
        page.set_viewport_size({"width": width, "height": 844 if width < 800 else 900})
        assert not blocking_violations(page, Axe()), f"{name} at {width} px"
        shot(page, f"{name}-{width}")


def keyboard_login(page, username):
    page.goto("/login/")
    tab_to(page, page.locator("input[name=username]"))
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type("demo1234")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login/" not in url)


def keyboard_logout(page):
    tab_to(page, page.get_by_role("button", name="Log out"))
    page.keyboard.press("Enter")
    expect(page.locator(".msg")).to_contain_text("You are signed out.")


def test_an_agent_runs_the_timer_and_logs_hours_from_the_keyboard(page, shot, transactional_db):
    demo_company()
    ticket = Ticket.objects.get(title="VPN drops every hour")
    before = TimesheetLine.objects.filter(ticket=ticket).count()
    keyboard_login(page, "agent")
    page.goto(f"/helpdesk/tickets/{ticket.pk}/")

    # Run the timer: start, then stop and log it from the dialog.
    tab_to(page, page.locator(".timer-slot .timer-start"))
    page.keyboard.press("Enter")
    expect(page.locator(".msg")).to_contain_text(f"Timer started on ticket #{ticket.pk}.")
    stop = page.locator(".timer-slot .timer-stop")
    tab_to(page, stop)
    page.keyboard.press("Space")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    # The dialog took the focus: type the description straight away, Enter logs the time.
    expect(dialog.locator("input[name=description]")).to_be_focused()
    page.keyboard.type("Checked the VPN logs")
    check_both_widths(page, shot, "keyboard-timer-stop")
    page.keyboard.press("Enter")
    expect(page.locator(".msg")).to_contain_text(f"0.25 h logged on ticket #{ticket.pk}")
    expect(page.locator("#ticket-timesheets")).to_contain_text("Checked the VPN logs")

    # Log hours by hand in the add row; a non-numeric value gets the server's message first.
    tab_to(page, page.locator("#id_new-description"))
    page.keyboard.type("Replaced the router config")
    page.keyboard.press("Tab")
    expect(page.locator("#id_new-hours")).to_be_focused()
    page.keyboard.type("one hour")
    page.keyboard.press("Enter")
    expect(page.locator("#ticket-timesheets .errorlist")).to_contain_text("Enter the hours as a number")
    # The section was swapped: the focus came back to the same field (static/js/portal.js).
    expect(page.locator("#id_new-hours")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("1,5")
    page.keyboard.press("Enter")
    expect(page.locator(".msg")).to_contain_text("1.50 h logged on")
    check_both_widths(page, shot, "keyboard-logged-hours")
    assert TimesheetLine.objects.filter(ticket=ticket).count() == before + 2


def test_sales_creates_and_the_accountant_posts_an_invoice_from_the_keyboard(page, shot, transactional_db):
    demo_company()
    order = Order.objects.get(client_reference="DEMO-POSTPAID")
    keyboard_login(page, "sales")
    page.goto(f"/sales/orders/{order.pk}/")
    tab_to(page, page.get_by_role("button", name="Create invoice"))
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("input[name=method]").first).to_be_focused()
    check_both_widths(page, shot, "keyboard-create-invoice")
    tab_to(page, dialog.get_by_role("button", name="Create draft invoice"))
    page.keyboard.press("Enter")
    expect(page.locator(".msg")).to_contain_text(f"Draft invoice created from {order.name}.")
    invoice = Invoice.objects.get(order=order, state=Invoice.State.DRAFT)
    keyboard_logout(page)

    keyboard_login(page, "accountant")
    page.goto(f"/invoicing/invoices/{invoice.pk}/")
    tab_to(page, page.get_by_role("button", name="Post"))
    page.keyboard.press("Enter")
    expect(page.locator(".msg")).to_contain_text("Invoice posted as ")
    check_both_widths(page, shot, "keyboard-posted-invoice")
    invoice.refresh_from_db()
    assert invoice.state == Invoice.State.POSTED
