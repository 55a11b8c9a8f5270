"""Browser journeys of the helpdesk: pipeline, ticket form, inline timesheets, the timer."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from helpdesk.models import Stage, Ticket
from sales.models import Order
from tests.e2e.combobox import pick_by_keyboard
from tests.e2e.htmx import htmx_idle
from tests.factories import (
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    TicketFactory,
    TimesheetLineFactory,
    UserFactory,
)
from tests.helpdesk.data import prepaid_setup

pytestmark = pytest.mark.django_db(transaction=True)


# Records, every 20 ms, what the header clock reads and the elapsed ms the server rendered it with.
SAMPLE_HEADER_CLOCK = """() => {
  const samples = [];
  const id = setInterval(() => {
    const el = document.querySelector("[data-testid=header-timer] .timer-clock");
    if (el) samples.push([performance.now(), el.textContent.trim(), Number(el.dataset.timerElapsedMs)]);
  }, 20);
  window.stopClockSamples = () => { clearInterval(id); return samples; };
}"""


def assert_header_clock_keeps_time(samples, slack_ms=250):
    """From the moment it appears, the header clock shows the server's elapsed time counted on:
    never 0:00:00 once a second has passed, never a second late (nor early) by more than slack."""
    assert len(samples) > 50, samples
    appeared, server_ms = None, None
    for at, text, rendered_ms in samples:
        if rendered_ms != server_ms:  # (re)rendered by the server: count from there
            appeared, server_ms = at, rendered_ms
        hours, minutes, seconds = (int(part) for part in text.split(":"))
        shown = hours * 3600 + minutes * 60 + seconds
        elapsed_ms = server_ms + (at - appeared)
        assert (elapsed_ms - slack_ms) // 1000 <= shown <= (elapsed_ms + slack_ms) // 1000, (
            f"{text} at {elapsed_ms:.0f} ms"
        )
    assert samples[-1][1] != "0:00:00"


def test_agent_logs_time_on_a_prepaid_ticket_inline_and_with_the_timer(page, login, shot):
    agent = UserFactory(username="e2e-helpdesk", first_name="Alice", last_name="Agent", roles=["agent"])
    data = prepaid_setup(agent=agent)
    # Some company on the board, for a realistic pipeline.
    other = CustomerFactory(name="Globex")
    TicketFactory(team=data.team, title="Laptop will not boot", customer=other, assignee=agent, priority=2)
    TicketFactory(
        team=data.team, title="New hire accounts", customer=other, stage=Stage.objects.get(name="In progress")
    )
    TicketFactory(
        team=data.team, title="Password reset", customer=other, stage=Stage.objects.get(name="Solved")
    )

    login(page, agent)
    agent_moves_tickets_on_the_pipeline(page, shot, data.team)
    page.get_by_role("link", name=re.compile("Printer on fire")).click()
    agent_logs_time_inline_on_the_prepaid_line(page, data.order)
    agent_times_the_work_with_the_timer(page, shot)
    agent_over_consumes_the_line(page, shot)
    page.wait_for_load_state("networkidle")


def agent_moves_tickets_on_the_pipeline(page, shot, team):
    page.goto("/helpdesk/")
    page.get_by_role("link", name=f"{team.name} pipeline").click()
    expect(page.locator(".kanban-col")).to_have_count(4)
    expect(page.get_by_test_id("count-new")).to_have_text("2")
    shot(page, "helpdesk-pipeline")
    # Move a ticket with its stage picker (htmx): the board reloads with the new counts.
    page.locator(".kanban-card", has_text="Laptop will not boot").locator("select.move").select_option(
        label="In progress"
    )
    expect(page.get_by_test_id("count-in-progress")).to_have_text("2")
    expect(page.get_by_test_id("count-new")).to_have_text("1")
    expect(page.locator(".kanban-col[aria-label='In progress']")).to_contain_text("Laptop will not boot")
    # Or drag a card onto another column.
    page.locator(".kanban-card", has_text="New hire accounts").drag_to(
        page.locator(".kanban-col[aria-label='Cancelled']")
    )
    expect(page.get_by_test_id("count-cancelled")).to_have_text("1")
    expect(page.get_by_test_id("count-in-progress")).to_have_text("1")


def agent_logs_time_inline_on_the_prepaid_line(page, order):
    # The item was defaulted to the customer's prepaid line: 50 h left.
    selected = page.locator("#id_sale_line option:checked")
    expect(selected).to_contain_text(order.name)
    expect(selected).to_contain_text("50.00 h left")
    remaining = page.get_by_test_id("remaining-hours")
    expect(remaining).to_have_text("50.00 h")

    page.evaluate("window.noReload = true")
    page.fill("#id_new-description", "Diagnosed the fuser unit")
    page.fill("#id_new-hours", "2.5")
    page.get_by_role("button", name="Add line").click()
    expect(page.get_by_test_id("remaining-hours")).to_have_text("47.50 h")
    expect(page.locator("#ticket-timesheets")).to_contain_text("Diagnosed the fuser unit")
    expect(page.get_by_test_id("total-hours")).to_have_text("2.50")
    # The item's label follows at once too (out-of-band options), still selected.
    expect(selected).to_contain_text("47.50 h left")
    assert page.evaluate("window.noReload") is True


def agent_times_the_work_with_the_timer(page, shot):
    """Timer: start, watch it tick in the header, stop and confirm the rounded 0.25 h."""
    page.evaluate(SAMPLE_HEADER_CLOCK)
    page.get_by_role("button", name="Start timer").click()
    widget = page.get_by_test_id("header-timer")
    expect(widget).to_contain_text("Printer on fire")
    page.wait_for_timeout(2500)
    assert_header_clock_keeps_time(page.evaluate("window.stopClockSamples()"))
    clock = page.locator(".timer-panel .timer-clock")
    expect(clock).to_have_text(re.compile(r"0:00:0[2-9]"), timeout=6000)
    shot(page, "helpdesk-timer-running")
    page.locator(".timer-panel").get_by_role("button", name="Stop").click()
    dialog = page.locator("#timer-stop-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#id_hours")).to_have_value("0.25")
    dialog.locator("#id_description").fill("Reset the spooler")
    shot(page, "helpdesk-timer-stop-dialog")
    dialog.get_by_role("button", name="Log time").click()
    expect(dialog).to_have_count(0)
    row = page.locator("#ticket-timesheets tbody tr", has_text="Reset the spooler")
    expect(row).to_contain_text("0.25")
    expect(page.get_by_test_id("remaining-hours")).to_have_text("47.25 h")
    expect(page.get_by_test_id("header-timer")).to_have_count(0)
    expect(page.get_by_role("button", name="Start timer")).to_be_visible()


def agent_over_consumes_the_line(page, shot):
    """The remaining hours turn red (two earlier days: 24 h a day at most)."""
    for days_ago in (1, 2):
        day = (timezone.localdate() - datetime.timedelta(days=days_ago)).isoformat()
        # The timer's stop also asks the section to reload ("timesheets-changed"): a reload still
        # in flight would replace the form after it was filled (the date back to today).
        htmx_idle(page)
        page.fill("#id_new-date", day)
        expect(page.locator("#id_new-date")).to_have_value(day)
        page.fill("#id_new-description", "Data recovery")
        page.fill("#id_new-hours", "24")
        page.get_by_role("button", name="Add line").click()
        expect(page.locator("#id_new-hours")).to_have_value("")
    expect(page.get_by_test_id("remaining-hours")).to_have_text("-0.75 h")
    expect(page.locator("#so-remaining")).to_have_class(re.compile("negative"))
    color = page.locator("#so-remaining .smart-value").evaluate("el => getComputedStyle(el).color")
    assert color == "rgb(198, 40, 40)"
    assert page.evaluate("window.noReload") is True
    shot(page, "helpdesk-ticket-form")


def test_bad_hours_show_an_error_next_to_the_field(page, login, shot):
    agent = UserFactory(username="e2e-helpdesk-2", roles=["agent"])
    data = prepaid_setup(agent=agent)
    login(page, agent)
    page.goto(f"/helpdesk/tickets/{data.ticket.pk}/")
    page.fill("#id_new-hours", "25")
    page.get_by_role("button", name="Add line").click()
    error = page.locator(".add-row .has-error .errorlist")
    expect(error).to_contain_text("24 hours")
    expect(page.get_by_test_id("total-hours")).to_have_text("0.00")
    shot(page, "helpdesk-ticket-bad-hours")
    page.wait_for_load_state("networkidle")


def test_choosing_a_customer_on_a_new_ticket_defaults_the_item(page, login, shot):
    agent = UserFactory(username="e2e-helpdesk-3", roles=["agent"])
    data = prepaid_setup(agent=agent, customer_name="Initech")
    login(page, agent)
    page.goto(f"/helpdesk/tickets/new/?team={data.team.pk}")
    page.fill("#id_title", "Stapler missing")
    pick_by_keyboard(page, "id_customer", "Init", "Initech")
    expect(page.locator("#id_sale_line option:checked")).to_contain_text("50.00 h left")
    shot(page, "helpdesk-ticket-new")
    page.get_by_role("button", name="Create ticket").click()
    expect(page.get_by_test_id("remaining-hours")).to_have_text("50.00 h")
    page.wait_for_load_state("networkidle")


def test_admin_sets_up_track_and_bill_time_without_a_save_and_refresh(page, login, shot):
    from helpdesk.models import Team
    from sales.models import Product

    admin = UserFactory(username="e2e-helpdesk-admin", roles=["admin"])
    login(page, admin)
    page.goto("/admin/helpdesk/team/add/")
    project_row = page.locator(".field-project")
    expect(project_row).to_be_hidden()
    page.fill("#id_name", "Field support")
    page.check("#id_use_billing")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".field-use_billing .errorlist")).to_contain_text("Timesheets")
    page.check("#id_use_timesheets")
    expect(project_row).to_be_visible()
    shot(page, "helpdesk-admin-team")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    team = Team.objects.get(name="Field support")
    assert team.project.name == "Field support"
    assert Product.objects.filter(name="Service on Timesheets").exists()
    assert team.stages.count() == 4
    page.wait_for_load_state("networkidle")


def test_ticket_list_and_timesheet_lines(page, login, shot):
    agent = UserFactory(username="e2e-helpdesk-4", first_name="Bob", last_name="Agent", roles=["agent"])
    data = prepaid_setup(agent=agent)
    TicketFactory(team=data.team, title="Scanner jams", customer=data.customer, assignee=agent)
    login(page, agent)
    page.goto(f"/helpdesk/tickets/{data.ticket.pk}/")
    page.fill("#id_new-description", "Cleaned the rollers")
    page.fill("#id_new-hours", "1.25")
    page.get_by_role("button", name="Add line").click()
    expect(page.get_by_test_id("total-hours")).to_have_text("1.25")
    page.goto("/helpdesk/")
    expect(page.locator(".ticket-table tbody tr")).to_have_count(2)
    shot(page, "helpdesk-ticket-list")
    page.goto(f"/timesheets/?ticket={data.ticket.pk}")
    expect(page.locator(".line-table tbody tr:not(.day-total)")).to_have_count(1)
    expect(page.locator(".line-table")).to_contain_text("Cleaned the rollers")
    shot(page, "timesheets-line-list")
    page.wait_for_load_state("networkidle")


def test_a_long_timesheet_list_is_paged_without_a_full_count(page, login, shot, monkeypatch):
    """Past the count cap the list says "more than N", keeps its Next link, and asks for a
    filter before showing the total hours (a million lines are neither counted nor summed)."""
    monkeypatch.setattr("core.pagination.COUNT_CAP", 3)
    monkeypatch.setattr("timesheets.views.PAGE_SIZE", 2)
    agent = UserFactory(username="e2e-helpdesk-5", first_name="Cap", last_name="Agent", roles=["agent"])
    data = prepaid_setup(agent=agent)
    for day in range(6):
        TimesheetLineFactory(
            ticket=data.ticket, project=data.team.project, employee=agent, description=f"Visit {day}"
        )
    login(page, agent)
    page.goto("/timesheets/")
    expect(page.locator(".pager")).to_contain_text("more than 3 in all")
    expect(page.locator(".line-table tfoot")).to_contain_text("filter to see the total")
    shot(page, "timesheets-line-list-capped")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "timesheets-line-list-capped-390")
    page.get_by_role("link", name="Next →").click()
    page.get_by_role("link", name="Next →").click()
    expect(page.locator(".line-table tbody tr:not(.day-total)")).to_have_count(2)
    expect(page.get_by_role("link", name="Next →")).to_have_count(0)


def test_a_prepaid_ticket_keeps_its_item_when_the_hours_run_out_and_warns(page, login, shot):
    """SPEC Helpdesk: logging past the prepaid hours keeps the item (no re-rendered select picks
    another line, so the next Save changes nothing) and warns the agent."""
    agent = UserFactory(username="e2e-helpdesk-6", first_name="Carol", last_name="Agent", roles=["agent"])
    data = prepaid_setup(agent=agent, hours="10.00", customer_name="Umbrella Corp")
    # A newer order of the customer with a post-paid line: the other choice in the item select.
    newer = OrderFactory(customer=data.customer, state=Order.State.SALE)
    OrderLineFactory(
        order=newer, product=ProductFactory(name="Service on Timesheets", timesheet=True), description=""
    )
    login(page, agent)
    page.goto(f"/helpdesk/tickets/{data.ticket.pk}/")
    item = page.locator("#id_sale_line")
    expect(item).to_have_value(str(data.line.pk))
    expect(page.get_by_test_id("prepaid-used-up")).to_have_count(0)

    page.evaluate("window.noReload = true")
    for hours, left in (("8", "2.00 h"), ("4", "-2.00 h")):
        page.fill("#id_new-description", "Restored the mail server")
        page.fill("#id_new-hours", hours)
        page.get_by_role("button", name="Add line").click()
        expect(page.get_by_test_id("remaining-hours")).to_have_text(left)
        expect(item).to_have_value(str(data.line.pk))
    warning = page.get_by_test_id("prepaid-used-up")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("prepaid hours")
    expect(warning).to_contain_text("used up")
    expect(page.locator("#id_sale_line option:checked")).to_contain_text("-2.00 h left")
    assert page.evaluate("window.noReload") is True
    shot(page, "helpdesk-prepaid-used-up")
    page.set_viewport_size({"width": 390, "height": 844})
    warning.scroll_into_view_if_needed()
    shot(page, "helpdesk-prepaid-used-up-390")
    page.set_viewport_size({"width": 1366, "height": 900})

    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state("networkidle")
    ticket = Ticket.objects.get(pk=data.ticket.pk)
    assert ticket.sale_line_id == data.line.pk
    assert set(ticket.timesheets.values_list("sale_line_id", flat=True)) == {data.line.pk}
    expect(page.get_by_test_id("remaining-hours")).to_have_text("-2.00 h")
    assert Decimal("12") == sum(ticket.timesheets.values_list("hours", flat=True))
