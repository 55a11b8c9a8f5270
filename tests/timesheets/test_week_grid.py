"""My week: the weekly timesheet grid of the signed-in employee (rows × 7 days, totals, keyboard
entry formats, copy last week's rows, week in the URL), saved through the timesheet services in
one transaction with an error per cell, and its warnings past sold hours."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.clock import on_day
from tests.factories import (
    CustomerFactory,
    InvoiceFactory,
    PrepaidLineFactory,
    ProductFactory,
    SaleOrderFactory,
    TaskFactory,
    TeamFactory,
    TicketFactory,
    TimesheetLineFactory,
    UserFactory,
)
from timesheets import services as timesheets
from timesheets.models import ApprovalState, TimesheetLine
from timesheets.week_selectors import parse_hours, timesheet_week_grid
from timesheets.week_services import WeekNotSaved, timesheet_week_save

pytestmark = pytest.mark.django_db

WEDNESDAY = datetime.date(2026, 3, 11)
MONDAY = datetime.date(2026, 3, 9)
URL = reverse("timesheets:week")


@pytest.fixture(autouse=True)
def _on_wednesday():
    with on_day(WEDNESDAY):
        yield


@pytest.fixture
def desk(agent):
    """A team of the agent, a Globex ticket on a 10 h prepaid block, and a task."""
    customer = CustomerFactory(name="Globex", billable_rounding_minutes=15)
    block = PrepaidLineFactory(order=SaleOrderFactory(customer=customer), quantity=Decimal("10.00"))
    team = TeamFactory(members=[agent])
    ticket = TicketFactory(team=team, customer=customer, sale_line=block, title="VPN drops")
    task = TaskFactory(title="Migration plan")
    return {"team": team, "ticket": ticket, "task": task, "block": block, "customer": customer}


def cell(kind, obj, day) -> str:
    return f"cell-{kind}-{obj.pk}-{day.isoformat()}"


def log(agent, day, hours, **target):
    return timesheets.timesheet_log(employee=agent, user=agent, date=day, hours=Decimal(hours), **target)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    ("typed", "hours"),
    [("1.5", "1.50"), ("1,5", "1.50"), ("1:30", "1.50"), ("0:20", "0.33"), ("8", "8"), (" 2.25 ", "2.25")],
)
def test_cells_accept_decimal_hours_and_h_mm(typed, hours):
    assert parse_hours(typed) == Decimal(hours)


@pytest.mark.parametrize("typed", ["abc", "1:75", "1.5h", "1:2:3", "NaN", "Infinity"])
def test_cells_refuse_what_is_not_hours(typed):
    with pytest.raises(ValueError):
        parse_hours(typed)


def test_grid_has_a_row_per_ticket_and_task_with_day_row_and_week_totals(client, agent, desk):
    log(agent, MONDAY, "2.00", ticket=desk["ticket"])
    log(agent, WEDNESDAY, "1.50", ticket=desk["ticket"])
    log(agent, WEDNESDAY, "3.00", task=desk["task"])
    log(agent, MONDAY - datetime.timedelta(days=1), "4.00", task=desk["task"])  # last week
    log(UserFactory(roles=["agent"]), MONDAY, "5.00", task=desk["task"])  # someone else

    client.force_login(agent)
    response = client.get(URL, {"week": "2026-03-13"})  # any day of the week
    grid = response.context["grid"]
    assert grid.monday == MONDAY
    rows = {row.label: [c.hours for c in row.cells] for row in grid.rows}
    assert rows == {
        f"#{desk['ticket'].pk} VPN drops": [Decimal("2.00"), None, Decimal("1.50"), None, None, None, None],
        f"Migration plan ({desk['task'].project.name})": [
            None,
            None,
            Decimal("3.00"),
            None,
            None,
            None,
            None,
        ],
    }
    assert [r.total for r in grid.rows] == [Decimal("3.50"), Decimal("3.00")]
    assert grid.day_totals[:3] == [Decimal("2.00"), Decimal("0"), Decimal("4.50")]
    assert grid.total == Decimal("6.50")
    html = response.content.decode()
    assert 'id="week-total">6.50<' in html
    assert "?week=2026-03-02" in html and "?week=2026-03-16" in html  # previous / next week


def test_saving_creates_changes_and_removes_lines_through_the_services(client, agent, desk):
    ticket, task = desk["ticket"], desk["task"]
    kept = log(agent, MONDAY, "2.00", ticket=ticket)
    gone = log(agent, MONDAY, "1.00", task=task)
    client.force_login(agent)
    response = client.post(
        URL,
        {
            "week": MONDAY.isoformat(),
            cell("ticket", ticket, MONDAY): "2:40",  # changed (h:mm)
            cell("task", task, MONDAY): "",  # emptied: the line goes
            cell("ticket", ticket, WEDNESDAY): "0,2",  # new, rounded to 0.25 h billed
            cell("task", task, MONDAY + datetime.timedelta(days=1)): "0",  # nothing there: nothing
            "focus": cell("ticket", ticket, WEDNESDAY),
        },
    )
    assert response.status_code == 302
    assert f"focus={cell('ticket', ticket, WEDNESDAY)}" in response["Location"]
    assert "Week saved: 3 cells changed." in messages_of(response)
    kept.refresh_from_db()
    assert kept.hours == Decimal("2.67")
    assert not TimesheetLine.objects.filter(pk=gone.pk).exists()
    new = TimesheetLine.objects.get(ticket=ticket, date=WEDNESDAY)
    assert (new.hours, new.billed_hours, new.sale_line) == (Decimal("0.20"), Decimal("0.25"), desk["block"])
    assert new.employee == agent
    desk["block"].refresh_from_db()
    assert desk["block"].qty_delivered == Decimal("3.00")  # 2.75 + 0.25 billed (15 min steps)


def test_a_day_past_24_hours_is_a_field_error_on_its_cell_and_nothing_is_saved(client, agent, desk):
    ticket, task = desk["ticket"], desk["task"]
    log(agent, MONDAY, "20.00", task=task)
    client.force_login(agent)
    response = client.post(
        URL,
        {
            "week": MONDAY.isoformat(),
            cell("ticket", ticket, WEDNESDAY): "3",  # fine on its own
            cell("ticket", ticket, MONDAY): "5",  # 20 + 5 > 24
        },
    )
    assert response.status_code == 400
    grid = response.context["grid"]
    refused = grid.cell(cell("ticket", ticket, MONDAY))
    assert "At most 24 hours a day" in refused.error and refused.value == "5"
    assert grid.cell(cell("ticket", ticket, WEDNESDAY)).error == ""
    assert grid.cell(cell("ticket", ticket, WEDNESDAY)).value == "3"  # what was typed stays
    assert not TimesheetLine.objects.filter(ticket=ticket).exists()  # one transaction: nothing
    assert 'aria-invalid="true"' in response.content.decode()


def test_hours_moved_between_rows_of_a_full_day_fit(agent, desk):
    ticket, task = desk["ticket"], desk["task"]
    log(agent, MONDAY, "20.00", task=task)
    timesheet_week_save(
        employee=agent,
        user=agent,
        monday=MONDAY,
        values={cell("task", task, MONDAY): "16", cell("ticket", ticket, MONDAY): "8"},
    )
    assert TimesheetLine.objects.filter(date=MONDAY).count() == 2


def test_unreadable_hours_and_foreign_cells_are_refused_per_cell(agent, desk):
    ticket = desk["ticket"]
    with pytest.raises(WeekNotSaved) as refused:
        timesheet_week_save(
            employee=agent,
            user=agent,
            monday=MONDAY,
            values={
                cell("ticket", ticket, MONDAY): "two",
                cell("ticket", ticket, MONDAY + datetime.timedelta(days=7)): "1",  # next week
                "cell-ticket-999999-2026-03-10": "1",  # no such ticket
                cell("ticket", ticket, WEDNESDAY): "1.255",  # three decimals
            },
        )
    errors = refused.value.errors
    assert errors[cell("ticket", ticket, MONDAY)].startswith("Enter hours as a number")
    assert (
        errors[cell("ticket", ticket, MONDAY + datetime.timedelta(days=7))]
        == "This cell is not in the week shown."
    )
    assert errors["cell-ticket-999999-2026-03-10"] == "No such ticket, task or project."
    assert "two decimals" in errors[cell("ticket", ticket, WEDNESDAY)]
    assert not TimesheetLine.objects.exists()


def test_billed_and_submitted_lines_are_read_only_cells(client, agent, desk):
    ticket, task = desk["ticket"], desk["task"]
    billed = log(agent, MONDAY, "2.00", ticket=ticket)
    invoice = InvoiceFactory(customer=desk["customer"])
    TimesheetLine.objects.filter(pk=billed.pk).update(invoice=invoice)
    submitted = log(agent, WEDNESDAY, "1.00", task=task)
    TimesheetLine.objects.filter(pk=submitted.pk).update(approval_state=ApprovalState.SUBMITTED)

    client.force_login(agent)
    html = client.get(URL).content.decode()
    assert f'name="{cell("ticket", ticket, MONDAY)}"' not in html  # no input: read-only
    assert f"Billed on invoice (draft #{invoice.pk})" in html
    assert "Submitted for approval" in html
    with pytest.raises(WeekNotSaved) as refused:
        timesheet_week_save(
            employee=agent,
            user=agent,
            monday=MONDAY,
            values={cell("ticket", ticket, MONDAY): "3", cell("task", task, WEDNESDAY): ""},
        )
    assert set(refused.value.errors) == {cell("ticket", ticket, MONDAY), cell("task", task, WEDNESDAY)}
    assert all(e.startswith("Read-only:") for e in refused.value.errors.values())
    assert TimesheetLine.objects.get(pk=billed.pk).hours == Decimal("2.00")


def test_an_agent_cannot_log_on_a_ticket_of_another_team(agent, desk):
    foreign = TicketFactory(team=TeamFactory(), customer=desk["customer"])
    with pytest.raises(WeekNotSaved) as refused:
        timesheet_week_save(
            employee=agent, user=agent, monday=MONDAY, values={cell("ticket", foreign, MONDAY): "1"}
        )
    assert refused.value.errors == {
        cell("ticket", foreign, MONDAY): "You can only log time on tickets of your helpdesk teams."
    }


def test_copy_last_weeks_rows_adds_them_empty_and_added_rows_stay_in_the_url(client, agent, desk):
    ticket, task = desk["ticket"], desk["task"]
    log(agent, MONDAY - datetime.timedelta(days=3), "2.00", ticket=ticket)
    log(agent, MONDAY - datetime.timedelta(days=5), "1.00", task=task)
    client.force_login(agent)
    response = client.get(URL, {"week": MONDAY.isoformat(), "copy": "1"})
    grid = response.context["grid"]
    assert {row.key for row in grid.rows} == {f"ticket-{ticket.pk}", f"task-{task.pk}"}
    assert all(c.hours is None for row in grid.rows for c in row.cells)
    assert grid.total == 0

    other = TaskFactory(title="Audit")
    response = client.get(URL, {"week": MONDAY.isoformat(), "add": [f"task-{task.pk}", f"task-{other.pk}"]})
    assert [row.key for row in response.context["grid"].rows] == [f"task-{task.pk}", f"task-{other.pk}"]
    # a saved row keeps the empty rows in the redirect
    response = client.post(
        URL,
        {
            "week": MONDAY.isoformat(),
            "row": [f"task-{task.pk}", f"task-{other.pk}"],
            cell("task", other, MONDAY): "1",
        },
    )
    assert f"add=task-{task.pk}" in response["Location"]


def test_logging_past_the_prepaid_hours_warns_and_keeps_the_time(client, agent, desk):
    ticket = desk["ticket"]
    log(agent, MONDAY, "9.00", ticket=ticket)
    client.force_login(agent)
    response = client.post(URL, {"week": MONDAY.isoformat(), cell("ticket", ticket, WEDNESDAY): "2.5"})
    assert response.status_code == 302
    warnings = [m for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert [str(w) for w in warnings] == [
        f"{desk['block'].order.name} – {desk['block'].description}: 1.50 h logged past the 10.00 h prepaid "
        "(the time is kept; the customer needs a new block)."
    ]
    assert TimesheetLine.objects.filter(ticket=ticket).count() == 2


def test_logging_past_a_postpaid_estimate_warns(client, agent, desk):
    estimate = PrepaidLineFactory(
        order=SaleOrderFactory(customer=desk["customer"]),
        product=ProductFactory(timesheet=True),
        quantity=Decimal("4.00"),
        description="Support on timesheets",
    )
    ticket = TicketFactory(team=desk["team"], customer=desk["customer"], sale_line=estimate)
    client.force_login(agent)
    response = client.post(URL, {"week": MONDAY.isoformat(), cell("ticket", ticket, MONDAY): "5"})
    assert f"{estimate.order.name} – Support on timesheets: 5.00 h logged, past the estimate of 4.00 h" in (
        " ".join(messages_of(response))
    )


@pytest.mark.parametrize("rows", [2, 8])
def test_the_week_page_costs_the_same_queries_at_two_sizes(
    client, agent, desk, rows, django_assert_num_queries
):
    for _ in range(rows):
        task = TaskFactory()
        for day in range(3):
            TimesheetLineFactory(
                employee=agent, task=task, project=task.project, date=MONDAY + datetime.timedelta(days=day)
            )
    client.force_login(agent)
    client.get(URL)  # warm the session and the content types
    with django_assert_num_queries(8):
        response = client.get(URL, {"week": MONDAY.isoformat()})
    assert len(response.context["grid"].rows) == rows


def test_who_may_open_my_week(client, agent, seller, accountant, admin_staff, customer_user, admin_user):
    assert client.get(URL).status_code == 302  # to the login page
    for user, status in (
        (agent, 200),
        (admin_staff, 200),
        (admin_user, 200),
        (seller, 403),
        (accountant, 403),
        (customer_user, 403),
    ):
        client.force_login(user)
        assert client.get(URL).status_code == status, user.username


def test_a_grid_shows_only_the_signed_in_employees_own_lines(agent, desk):
    other = UserFactory(roles=["agent"])
    TimesheetLineFactory(employee=other, date=MONDAY)
    assert timesheet_week_grid(employee=agent, monday=MONDAY).rows == []


def test_the_timesheets_list_shows_a_total_under_each_day(client, agent, desk):
    log(agent, MONDAY, "2.00", ticket=desk["ticket"])
    log(agent, MONDAY, "1.25", task=desk["task"])
    log(agent, WEDNESDAY, "3.50", task=desk["task"])
    client.force_login(agent)
    html = client.get(reverse("timesheets:line_list")).content.decode()
    assert html.count('class="day-total"') == 2
    label = 'Total Wed 2026-03-11<span class="day-total-inline">: 3.50 h</span></th>'
    assert label + '<td class="num"><strong>3.50</strong>' in html
    label = 'Total Mon 2026-03-09<span class="day-total-inline">: 3.25 h</span></th>'
    assert label + '<td class="num"><strong>3.25</strong>' in html
    assert html.index("Total Wed 2026-03-11") < html.index("Total Mon 2026-03-09")  # newest first


def test_a_week_with_hours_to_approve_is_submitted_from_the_grid(client, agent, desk):
    project = desk["task"].project
    project.requires_approval = True
    project.save()
    line = log(agent, MONDAY, "2.00", task=desk["task"])
    assert line.approval_state == ApprovalState.DRAFT
    client.force_login(agent)
    assert "Submit week for approval" in client.get(URL).content.decode()
    response = client.post(reverse("timesheets:week_submit"), {"week": MONDAY.isoformat(), "from": "week"})
    assert response["Location"] == f"{URL}?week={MONDAY.isoformat()}"
    line.refresh_from_db()
    assert line.approval_state == ApprovalState.SUBMITTED
    html = client.get(URL).content.decode()
    assert "Submit week for approval" not in html and "Submitted for approval" in html
