"""Conversation journey: a customer logs in, opens a ticket with an attachment; an agent replies
and adds an internal note; the customer sees the reply but not the note, answers, and downloads
an invoice PDF. Screenshots at 1366 and 390 px of every screen touched."""

import pytest
from playwright.sync_api import expect

from helpdesk.models import Team
from tests.conversation_data import PNG_BYTES
from tests.e2e.conftest import BROWSER_TIME_ZONE
from tests.e2e.test_portal import build_customer_world
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}


def both_widths(page, shot, name):
    shot(page, f"{name}-1366")
    page.set_viewport_size(PHONE)
    shot(page, f"{name}-390")
    page.set_viewport_size(LAPTOP)


def test_customer_and_agent_talk_on_a_ticket(page, browser, live_server, login, shot):
    contact, invoice, _other = build_customer_world()
    Team.objects.filter(name="Customer Care").update(portal=True)
    agent = UserFactory(username="e2e-agent")  # created by the world (get_or_create)

    login(page, contact)
    ticket_url = customer_opens_a_ticket_with_a_screenshot(page, shot)
    ticket_id = ticket_url.rstrip("/").rsplit("/", 1)[1]
    agent_context = browser.new_context(
        viewport=LAPTOP, base_url=live_server.url, timezone_id=BROWSER_TIME_ZONE
    )
    agent_replies_and_adds_an_internal_note(agent_context.new_page(), login, shot, agent, ticket_id)
    agent_context.close()
    customer_sees_the_reply_not_the_note_and_answers(page, shot, ticket_url)

    # ... and downloads an invoice PDF from the portal home.
    page.get_by_role("link", name="My portal").first.click()
    with page.expect_download() as download_info:
        page.locator("#invoices tbody tr").first.get_by_role("link", name="Download PDF").click()
    with open(download_info.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    assert invoice.number


def customer_opens_a_ticket_with_a_screenshot(page, shot) -> str:
    """→ the URL of the new ticket."""
    expect(page.get_by_test_id("burndown")).to_have_count(1)
    both_widths(page, shot, "portal-home")
    page.get_by_role("link", name="Open a ticket").click()
    page.get_by_label("Subject").fill("Printer prints blank pages")
    page.get_by_label("Description").fill("Since this morning, **every** page is blank.")
    page.get_by_label("Attach files").set_input_files(
        [{"name": "blank-page.png", "mimeType": "image/png", "buffer": PNG_BYTES}]
    )
    both_widths(page, shot, "portal-ticket-new")
    page.get_by_role("button", name="Open the ticket").click()
    expect(page.get_by_test_id("ticket-turn")).to_have_text("Waiting for us")
    expect(page.get_by_role("link", name="blank-page.png")).to_be_visible()
    return page.url


def agent_replies_and_adds_an_internal_note(agent_page, login, shot, agent, ticket_id):
    login(agent_page, agent)
    agent_page.goto("/helpdesk/")
    expect(agent_page.locator("tbody tr").first).to_contain_text("Printer prints blank pages")
    expect(agent_page.locator("tbody tr").first).to_contain_text("Waiting for us")
    agent_page.goto(f"/helpdesk/tickets/{ticket_id}/")
    thread = agent_page.locator("#conversation")
    expect(thread.get_by_test_id("message")).to_have_count(1)
    agent_page.get_by_label("Message").fill("We sent a new toner cartridge, it arrives **tomorrow**.")
    agent_page.get_by_role("button", name="Send").click()
    expect(thread.get_by_test_id("message")).to_have_count(2)
    agent_page.get_by_label("Message").fill("Customer is still on the old maintenance plan.")
    agent_page.get_by_label("Internal note (not shown to the customer)").check()
    agent_page.get_by_role("button", name="Send").click()
    expect(thread.get_by_test_id("message")).to_have_count(3)
    expect(thread.locator(".message.internal")).to_contain_text("old maintenance plan")
    expect(thread.locator(".turn")).to_contain_text("Waiting for the customer")
    thread.scroll_into_view_if_needed()
    both_widths(agent_page, shot, "helpdesk-ticket-conversation")


def customer_sees_the_reply_not_the_note_and_answers(page, shot, ticket_url):
    page.goto(ticket_url)
    messages = page.get_by_test_id("message")
    expect(messages).to_have_count(2)
    expect(messages.nth(1)).to_contain_text("it arrives tomorrow")
    expect(page.locator("#conversation strong", has_text="tomorrow")).to_be_visible()
    assert "old maintenance plan" not in page.content()
    expect(page.get_by_test_id("ticket-turn")).to_have_text("Waiting for you")
    page.get_by_label("Your reply").fill("Thanks, we will check tomorrow.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_test_id("message")).to_have_count(3)
    expect(page.get_by_test_id("ticket-turn")).to_have_text("Waiting for us")
    both_widths(page, shot, "portal-ticket-detail")


def test_staff_see_the_burn_down_on_the_order_page_and_manage_portal_users(page, login, shot):
    contact, invoice, _other = build_customer_world()
    seller = UserFactory(username="e2e-sales")
    login(page, seller)
    page.goto(f"/sales/orders/{invoice.order_id}/")
    expect(page.locator("#burndown svg.burndown")).to_be_visible()
    page.locator("#burndown").scroll_into_view_if_needed()
    both_widths(page, shot, "order-burndown")
    page.goto(f"/sales/customers/{invoice.customer_id}/")
    page.get_by_role("link", name="Portal users").click()
    page.get_by_label("User name").fill("new-contact")
    page.get_by_label("E-mail").fill("new-contact@globex.example")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_test_id("portal-user")).to_have_count(2)
    both_widths(page, shot, "portal-users")
