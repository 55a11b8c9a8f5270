"""The ticket's Timesheets section: inline add / edit / delete, totals, remaining hours, bad input."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import InvoiceFactory, TeamFactory, TicketFactory, TimesheetLineFactory
from tests.helpdesk.data import prepaid_setup
from timesheets.models import TimesheetLine

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def add_url(ticket):
    return reverse("helpdesk:ticket_timesheets", args=[ticket.pk])


def line_data(agent, **overrides):
    data = {
        "new-date": datetime.date.today().isoformat(),
        "new-employee": agent.pk,
        "new-description": "Diagnosed the fuser",
        "new-hours": "2.50",
    }
    data.update({f"new-{k}": v for k, v in overrides.items()})
    return data


def test_adding_a_line_inline_answers_the_section_with_the_new_total_and_remaining_hours(
    agent_client, prepaid
):
    response = agent_client.post(add_url(prepaid.ticket), line_data(prepaid.agent), **HX)
    assert response.status_code == 200
    html = response.content.decode()
    line = TimesheetLine.objects.get()
    assert line.hours == Decimal("2.50") and line.sale_line == prepaid.line and line.ticket == prepaid.ticket
    assert 'id="ticket-timesheets"' in html
    assert "Diagnosed the fuser" in html
    assert 'data-testid="total-hours"><strong>2.50</strong>' in html
    # The remaining hours in the ticket's header are refreshed out of band.
    assert 'id="so-remaining" class="smart-button" hx-swap-oob="true"' in html
    assert "47.50 h" in html


@pytest.mark.parametrize(
    ("hours", "message"),
    [("0", "more than zero"), ("-1", "more than zero"), ("24.25", "24 hours"), ("abc", "number")],
)
def test_bad_hours_show_an_error_next_to_the_hours_and_save_nothing(agent_client, prepaid, hours, message):
    response = agent_client.post(add_url(prepaid.ticket), line_data(prepaid.agent, hours=hours), **HX)
    assert response.status_code == 200
    errors = response.context["add_form"].errors
    assert list(errors) == ["hours"]
    assert message in errors["hours"][0]
    assert not TimesheetLine.objects.exists()


def test_more_than_24_hours_a_day_is_refused_next_to_the_hours(agent_client, prepaid):
    agent_client.post(add_url(prepaid.ticket), line_data(prepaid.agent, hours="20"), **HX)
    response = agent_client.post(add_url(prepaid.ticket), line_data(prepaid.agent, hours="20"), **HX)
    errors = response.context["add_form"].errors
    assert list(errors) == ["hours"] and "At most 24 hours a day" in errors["hours"][0]
    assert "At most 24 hours a day" in response.content.decode()
    assert TimesheetLine.objects.count() == 1


def test_a_date_far_in_the_future_is_refused_next_to_the_date(agent_client, prepaid):
    far = (datetime.date.today() + datetime.timedelta(days=60)).isoformat()
    response = agent_client.post(add_url(prepaid.ticket), line_data(prepaid.agent, date=far), **HX)
    assert "date" in response.context["add_form"].errors
    assert not TimesheetLine.objects.exists()


def test_time_on_a_ticket_of_a_team_without_timesheets_is_refused(agent_client, agent):
    ticket = TicketFactory(team=TeamFactory(members=[agent], use_timesheets=False, use_billing=False))
    response = agent_client.post(add_url(ticket), line_data(agent), **HX)
    assert response.status_code == 200
    assert "does not record timesheets" in " ".join(response.context["add_form"].non_field_errors())
    assert "does not record timesheets" in response.content.decode()
    assert not TimesheetLine.objects.exists()


def test_the_page_of_a_team_without_timesheets_offers_no_time_entry(agent_client, agent):
    ticket = TicketFactory(team=TeamFactory(members=[agent], use_timesheets=False, use_billing=False))
    html = agent_client.get(reverse("helpdesk:ticket_detail", args=[ticket.pk])).content.decode()
    assert "does not use timesheets" in html
    assert 'id="add-line"' not in html
    assert "timer_panel" not in html


def test_editing_a_line_inline_saves_it_and_updates_the_total(agent_client, prepaid):
    line = TimesheetLineFactory(
        ticket=prepaid.ticket, project=prepaid.team.project, sale_line=prepaid.line, employee=prepaid.agent
    )
    url = reverse("helpdesk:ticket_timesheet_edit", args=[prepaid.ticket.pk, line.pk])
    form_html = agent_client.get(url, **HX).content.decode()
    assert 'id="edit-line"' in form_html
    prefix = f"line{line.pk}"
    response = agent_client.post(
        url,
        {
            f"{prefix}-date": line.date.isoformat(),
            f"{prefix}-employee": prepaid.agent.pk,
            f"{prefix}-description": "Longer than thought",
            f"{prefix}-hours": "3.00",
        },
        **HX,
    )
    line.refresh_from_db()
    assert line.hours == Decimal("3.00") and line.description == "Longer than thought"
    assert 'data-testid="total-hours"><strong>3.00</strong>' in response.content.decode()


def test_editing_with_bad_hours_keeps_the_row_in_edit_with_the_error(agent_client, prepaid):
    line = TimesheetLineFactory(ticket=prepaid.ticket, project=prepaid.team.project, employee=prepaid.agent)
    url = reverse("helpdesk:ticket_timesheet_edit", args=[prepaid.ticket.pk, line.pk])
    prefix = f"line{line.pk}"
    response = agent_client.post(
        url,
        {
            f"{prefix}-date": line.date.isoformat(),
            f"{prefix}-employee": prepaid.agent.pk,
            f"{prefix}-hours": "30",
        },
        **HX,
    )
    assert "hours" in response.context["edit_form"].errors
    assert 'id="edit-line"' in response.content.decode()
    line.refresh_from_db()
    assert line.hours == Decimal("1.00")


def test_a_billed_line_cannot_be_edited_and_says_why(agent_client, prepaid):
    invoice = InvoiceFactory(customer=prepaid.customer)
    line = TimesheetLineFactory(
        ticket=prepaid.ticket, project=prepaid.team.project, employee=prepaid.agent, invoice=invoice
    )
    url = reverse("helpdesk:ticket_timesheet_edit", args=[prepaid.ticket.pk, line.pk])
    prefix = f"line{line.pk}"
    response = agent_client.post(
        url,
        {
            f"{prefix}-date": line.date.isoformat(),
            f"{prefix}-employee": prepaid.agent.pk,
            f"{prefix}-hours": "2",
        },
        **HX,
    )
    assert "billed" in " ".join(response.context["edit_form"].non_field_errors())
    line.refresh_from_db()
    assert line.hours == Decimal("1.00")


def test_deleting_a_line_inline_removes_it(agent_client, prepaid):
    line = TimesheetLineFactory(ticket=prepaid.ticket, project=prepaid.team.project, sale_line=prepaid.line)
    response = agent_client.post(
        reverse("helpdesk:ticket_timesheet_delete", args=[prepaid.ticket.pk, line.pk]), **HX
    )
    assert not TimesheetLine.objects.exists()
    assert "50.00 h" in response.content.decode()


def test_a_billed_line_cannot_be_deleted_and_the_section_says_why(agent_client, prepaid):
    line = TimesheetLineFactory(
        ticket=prepaid.ticket, project=prepaid.team.project, invoice=InvoiceFactory(customer=prepaid.customer)
    )
    response = agent_client.post(
        reverse("helpdesk:ticket_timesheet_delete", args=[prepaid.ticket.pk, line.pk]), **HX
    )
    assert TimesheetLine.objects.filter(pk=line.pk).exists()
    assert 'class="form-errors" role="alert"' in response.content.decode()
    assert "billed" in response.context["error"]


def test_over_consumed_item_shows_negative_remaining_hours_in_red(agent_client, prepaid):
    for days_ago in range(3):  # at most 24 h a day
        day = (datetime.date.today() - datetime.timedelta(days=days_ago)).isoformat()
        agent_client.post(add_url(prepaid.ticket), line_data(prepaid.agent, hours="20", date=day), **HX)
    html = agent_client.get(reverse("helpdesk:ticket_detail", args=[prepaid.ticket.pk])).content.decode()
    assert 'id="so-remaining" class="smart-button negative"' in html
    assert "-10.00 h" in html


def test_a_line_of_another_tickets_cannot_be_edited_through_this_ticket(agent_client, prepaid):
    other = TicketFactory(team=prepaid.team)
    line = TimesheetLineFactory(ticket=other, project=prepaid.team.project)
    url = reverse("helpdesk:ticket_timesheet_edit", args=[prepaid.ticket.pk, line.pk])
    assert agent_client.get(url).status_code == 404


def _item_select(html: str) -> str:
    """The out-of-band Sales order item <select> of a Timesheets response."""
    start = html.index('<select name="sale_line"')
    return html[start : html.index("</select>", start)]


def test_adding_a_line_refreshes_the_hours_left_in_the_sales_order_item_options(agent_client, prepaid):
    page = agent_client.get(reverse("helpdesk:ticket_detail", args=[prepaid.ticket.pk])).content.decode()
    assert "Prepaid support 50 h (50.00 h left)" in page

    response = agent_client.post(add_url(prepaid.ticket), line_data(prepaid.agent), **HX)

    select = _item_select(response.content.decode())
    assert 'hx-swap-oob="outerHTML"' in select and 'id="id_sale_line"' in select
    label = f"{prepaid.order.name} – Prepaid support 50 h (47.50 h left)"
    assert f'<option value="{prepaid.line.pk}" selected>{label}</option>' in select


def test_item_options_follow_the_forms_unsaved_customer_and_selection(agent_client, prepaid):
    other = prepaid_setup(agent=prepaid.agent, hours="10.00", customer_name="Other Corp")
    data = {**line_data(prepaid.agent), "customer": other.customer.pk, "sale_line": other.line.pk}

    response = agent_client.post(add_url(prepaid.ticket), data, **HX)

    select = _item_select(response.content.decode())
    assert f'<option value="{other.line.pk}" selected>' in select and "(10.00 h left)" in select
    assert f'value="{prepaid.line.pk}"' not in select
    # The line itself went on the ticket's saved item.
    assert TimesheetLine.objects.get().sale_line == prepaid.line


def test_editing_and_deleting_a_line_refresh_the_item_options_too(agent_client, prepaid):
    line = TimesheetLineFactory(
        ticket=prepaid.ticket,
        project=prepaid.team.project,
        sale_line=prepaid.line,
        employee=prepaid.agent,
        hours=Decimal("5.00"),
    )
    edit_url = reverse("helpdesk:ticket_timesheet_edit", args=[prepaid.ticket.pk, line.pk])
    data = {
        f"line{line.pk}-date": line.date.isoformat(),
        f"line{line.pk}-employee": prepaid.agent.pk,
        f"line{line.pk}-description": "More work",
        f"line{line.pk}-hours": "8.00",
    }
    html = agent_client.post(edit_url, data, **HX).content.decode()
    assert "(42.00 h left)" in _item_select(html)

    delete_url = reverse("helpdesk:ticket_timesheet_delete", args=[prepaid.ticket.pk, line.pk])
    html = agent_client.post(delete_url, **HX).content.decode()
    assert "(50.00 h left)" in _item_select(html)


def test_a_prepaid_item_that_runs_out_stays_selected_and_the_agent_is_warned(agent_client, prepaid):
    """SPEC Helpdesk: past the prepaid hours the ticket keeps its item; only a person changes it."""
    from sales.models import Order
    from tests.factories import OrderFactory, OrderLineFactory, ProductFactory

    newer = OrderFactory(customer=prepaid.customer, state=Order.State.SALE)
    service = OrderLineFactory(
        order=newer, product=ProductFactory(name="Service on Timesheets", timesheet=True)
    )
    ticket_form = {"customer": prepaid.customer.pk, "sale_line": prepaid.line.pk}  # the section's hx-include
    agent_client.post(add_url(prepaid.ticket), {**line_data(prepaid.agent, hours="24"), **ticket_form}, **HX)
    yesterday = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    html = agent_client.post(
        add_url(prepaid.ticket), {**line_data(prepaid.agent, hours="24", date=yesterday), **ticket_form}, **HX
    ).content.decode()

    select = _item_select(html)
    label = f"{prepaid.order.name} – Prepaid support 50 h (2.00 h left)"
    assert f'<option value="{prepaid.line.pk}" selected>{label}</option>' in select
    two_days_ago = (datetime.date.today() - datetime.timedelta(days=2)).isoformat()
    html = agent_client.post(
        add_url(prepaid.ticket),
        {**line_data(prepaid.agent, hours="4", date=two_days_ago), **ticket_form},
        **HX,
    ).content.decode()
    select = _item_select(html)
    assert f'<option value="{prepaid.line.pk}" selected>' in select and "(-2.00 h left)" in select
    assert f'<option value="{service.pk}">' in select  # offered, not chosen
    assert 'data-testid="prepaid-used-up"' in html
    assert f"The prepaid hours of {prepaid.order.name} are used up (-2.00 h left)" in html
    prepaid.ticket.refresh_from_db()
    assert prepaid.ticket.sale_line_id == prepaid.line.pk
    assert set(TimesheetLine.objects.values_list("sale_line_id", flat=True)) == {prepaid.line.pk}
    # The page itself, reloaded, keeps the item and the warning.
    page = agent_client.get(reverse("helpdesk:ticket_detail", args=[prepaid.ticket.pk])).content.decode()
    assert f'<option value="{prepaid.line.pk}" selected>' in _item_select(page)
    assert 'data-testid="prepaid-used-up"' in page


def test_no_used_up_warning_while_prepaid_hours_are_left(agent_client, prepaid):
    html = agent_client.post(add_url(prepaid.ticket), line_data(prepaid.agent), **HX).content.decode()
    assert 'data-testid="prepaid-used-up"' not in html
