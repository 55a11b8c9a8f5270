"""The customer search field (sales.form_fields, static/js/combobox.js) in the browser: a ticket
saved with a customer found by typing part of its name and picked with the keyboard only, at
1366 and 390 px; the ARIA combobox states, Escape, and the axe check with the list open."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from helpdesk.models import Ticket
from tests.e2e.combobox import pick_by_keyboard
from tests.e2e.test_accessibility import blocking_violations
from tests.factories import CustomerFactory, TicketFactory, UserFactory
from tests.helpdesk.data import prepaid_setup

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1366, 390])
def test_an_agent_finds_a_customer_by_part_of_its_name_and_saves_a_ticket_by_keyboard(
    page, login, shot, width
):
    agent = UserFactory(username=f"e2e-picker-{width}", roles=["agent"])
    data = prepaid_setup(agent=agent, customer_name="Initech")
    CustomerFactory(name="Initrode Logistics", email="ap@initrode.example")
    for n in range(40):
        CustomerFactory(name=f"Customer {n:02d} Industries")
    page.set_viewport_size({"width": width, "height": 844 if width < 800 else 900})
    login(page, agent)
    page.goto(f"/helpdesk/tickets/new/?team={data.team.pk}")
    assert page.locator("#id_customer option, select[name=customer]").count() == 0  # no 2 000-option select
    title = page.locator("#id_title")
    title.fill("Stapler missing")

    # Tab into the field, type part of a name: the matches open, none chosen yet.
    title.press("Tab")
    field = page.locator("#id_customer")
    expect(field).to_be_focused()
    expect(field).to_have_attribute("role", "combobox")
    field.press_sequentially("init")
    listbox = page.locator("#id_customer-options")
    expect(listbox).to_be_visible()
    expect(field).to_have_attribute("aria-expanded", "true")
    expect(listbox.get_by_role("option")).to_have_count(2)
    expect(page.locator("#combobox-status")).to_have_text("2 matches.")  # the live region
    # Down, Down, Up: the first match is the active one, announced through aria-activedescendant.
    field.press("ArrowDown")
    field.press("ArrowDown")
    field.press("ArrowUp")
    active = listbox.locator("[aria-selected=true]")
    expect(active).to_have_attribute("data-label", "Initech")
    expect(field).to_have_attribute("aria-activedescendant", active.get_attribute("id"))
    shot(page, f"customer-picker-open-{width}")
    violations = blocking_violations(page, Axe())
    assert not violations, violations

    # Escape closes the list without choosing; Enter on a match picks it (and does not submit).
    field.press("Escape")
    expect(listbox).to_be_hidden()
    pick_by_keyboard(page, "id_customer", "init", "Initech")
    expect(page.locator("input[name=customer]")).to_have_value(str(data.customer.pk))
    # The pick is a change of the field: the order item defaults to the customer's prepaid line.
    expect(page.locator("#id_sale_line option:checked")).to_contain_text("50.00 h left")
    # Typing something else and leaving puts the chosen name back (only a pick changes it).
    field.press_sequentially(" zzz")
    field.press("Escape")
    expect(field).to_have_value("Initech")
    shot(page, f"customer-picker-picked-{width}")

    page.get_by_role("button", name="Create ticket").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/helpdesk/tickets/\d+/$"))
    ticket = Ticket.objects.exclude(pk=data.ticket.pk).get(title="Stapler missing")
    assert ticket.customer_id == data.customer.pk
    # The saved ticket's form shows the customer's name in the search field.
    expect(page.locator("#id_customer")).to_have_value("Initech")
    shot(page, f"customer-picker-saved-{width}")
    page.wait_for_load_state("networkidle")


def test_a_search_without_a_match_says_so_and_keeps_the_list_closed(page, login, shot):
    agent = UserFactory(username="e2e-picker-none", roles=["agent"])
    data = prepaid_setup(agent=agent, customer_name="Initech")
    login(page, agent)
    page.goto(f"/helpdesk/tickets/new/?team={data.team.pk}")
    field = page.locator("#id_customer")
    field.click()
    field.press_sequentially("qqqq")
    expect(page.locator(".combobox-note")).to_be_visible()
    expect(page.locator(".combobox-note")).to_contain_text("No customer matches")
    expect(page.locator("#combobox-status")).to_contain_text("No customer matches")
    expect(page.locator("#id_customer-options")).to_be_hidden()
    shot(page, "customer-picker-no-match")
    # Emptying the field and leaving it chooses no customer.
    field.fill("")
    field.press("Tab")
    expect(page.locator("input[name=customer]")).to_have_value("")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("width", [1366, 390])
def test_list_filters_keep_the_chosen_customer_in_the_url_and_show_its_name(page, login, shot, width):
    admin = UserFactory(username=f"e2e-picker-admin-{width}", roles=["admin"])
    initech = CustomerFactory(name="Initech")
    CustomerFactory(name="Initrode Logistics")
    page.set_viewport_size({"width": width, "height": 844 if width < 800 else 900})
    login(page, admin)
    lists = [
        ("/sales/orders/", "orders"),
        ("/invoicing/invoices/", "invoices"),
        ("/helpdesk/", "tickets"),
        ("/reports/hours/", "report"),
    ]
    for path, name in lists:
        page.goto(path)
        field = page.locator("[data-combobox] input[role=combobox]")
        expect(field).to_have_count(1)
        field_id = field.get_attribute("id")
        expect(page.get_by_role("combobox", name="Customer", exact=True)).to_have_count(1)  # labelled
        pick_by_keyboard(page, field_id, "initech", "Initech")
        field.press("Enter")  # the list is closed: Enter submits the filters
        page.wait_for_url(re.compile(rf"[?&]customer={initech.pk}(&|$)"))
        expect(page.locator(f"#{field_id}")).to_have_value("Initech")
        expect(page.get_by_role("combobox", name="Customer", exact=True)).to_have_count(1)
        shot(page, f"customer-filter-{name}-{width}")
    page.wait_for_load_state("networkidle")


def test_the_pipeline_filters_as_soon_as_a_customer_is_picked(page, login, shot):
    agent = UserFactory(username="e2e-picker-pipeline", roles=["agent"])
    data = prepaid_setup(agent=agent, customer_name="Initech")
    other = CustomerFactory(name="Globex Corporation")
    TicketFactory(team=data.team, title="Globex printer", customer=other, assignee=agent)
    login(page, agent)
    page.goto(f"/helpdesk/teams/{data.team.pk}/")
    board = page.locator("#pipeline-board")
    expect(board).to_contain_text("Globex printer")
    pick_by_keyboard(page, "filter-customer", "glob", "Globex Corporation")
    expect(board).not_to_contain_text("Printer on fire")
    expect(board).to_contain_text("Globex printer")
    page.wait_for_url(re.compile(rf"[?&]customer={other.pk}(&|$)"))
    shot(page, "customer-filter-pipeline")
    page.wait_for_load_state("networkidle")
