"""Timesheet lines: validation, default order line, delivered quantities kept current."""

import datetime
from decimal import Decimal

import pytest

from core.errors import ConflictError, DomainError
from projects.models import Task
from sales.models import OrderLine
from tests.clock import TODAY, frozen_on
from tests.factories import (
    CustomerFactory,
    ProjectFactory,
    TaskFactory,
    TeamFactory,
    TicketFactory,
    TimesheetLineFactory,
    UserFactory,
)
from timesheets import selectors as ts_selectors
from timesheets import services as ts
from timesheets.models import TimesheetLine

pytestmark = [pytest.mark.django_db, frozen_on(TODAY)]


def log(agent, hours, **kwargs):
    kwargs.setdefault("date", TODAY)
    return ts.timesheet_log(employee=agent, user=agent, hours=Decimal(hours), **kwargs)


def delivered(line: OrderLine) -> Decimal:
    line.refresh_from_db()
    return line.qty_delivered


@pytest.mark.parametrize("hours", ["0", "-1", "24.01", "1.234"])
def test_bad_hours_are_refused_on_the_hours_field(agent, project, hours):
    with pytest.raises(DomainError) as exc:
        log(agent, hours, project=project)
    assert exc.value.field == "hours"
    assert not TimesheetLine.objects.exists()


def test_float_hours_are_refused(agent, project):
    with pytest.raises(DomainError) as exc:
        ts.timesheet_log(employee=agent, user=agent, date=TODAY, hours=1.5, project=project)
    assert exc.value.field == "hours"


def test_a_full_day_of_24_hours_is_accepted(agent, project):
    assert log(agent, "24", project=project).hours == Decimal("24.00")


def test_one_employees_lines_of_one_date_total_at_most_24_hours(agent, project):
    log(agent, "20", project=project)
    with pytest.raises(DomainError) as refused:
        log(agent, "20", project=project)
    assert refused.value.field == "hours"
    assert "At most 24 hours a day" in refused.value.message and "20.00 h" in refused.value.message
    assert log(agent, "4", project=project).hours == Decimal("4.00")  # exactly 24 h: accepted
    assert TimesheetLine.objects.filter(employee=agent, date=TODAY).count() == 2
    # Another day, another employee: their own 24 h.
    log(agent, "20", project=project, date=TODAY - datetime.timedelta(days=1))
    log(UserFactory(username="colleague", roles=["agent"]), "20", project=project)


def test_logging_for_someone_else_is_refused_before_their_day_total_is_read(agent, project):
    """Who may log for whom is checked first: the refusal does not tell another employee's hours."""
    colleague = UserFactory(username="colleague", roles=["agent"])
    log(colleague, "20", project=project)
    with pytest.raises(DomainError) as refused:
        ts.timesheet_log(employee=colleague, user=agent, date=TODAY, hours=Decimal("20"), project=project)
    assert refused.value.field == "employee" and "20.00" not in refused.value.message


def test_updates_keep_the_24_hours_a_day_too(agent, project):
    first = log(agent, "20", project=project)
    other_day = log(agent, "10", project=project, date=TODAY - datetime.timedelta(days=1))
    ts.timesheet_update(line=first, user=agent, hours=Decimal("24"))  # its own hours do not count twice
    with pytest.raises(DomainError) as refused:
        ts.timesheet_update(line=other_day, user=agent, date=TODAY)
    assert refused.value.field == "hours"
    colleague = UserFactory(username="colleague", roles=["agent"])
    moved = log(colleague, "5", project=project)
    with pytest.raises(DomainError):
        ts.timesheet_update(line=moved, user=agent, employee=agent)
    other_day.refresh_from_db()
    moved.refresh_from_db()
    assert (other_day.date, moved.employee) == (TODAY - datetime.timedelta(days=1), colleague)


def test_date_too_far_ahead_is_refused(agent, project, settings):
    settings.TIMESHEET_MAX_DAYS_AHEAD = 7
    from django.utils import timezone

    today = timezone.localdate()
    log(agent, "1", project=project, date=today + datetime.timedelta(days=7))
    with pytest.raises(DomainError) as exc:
        log(agent, "1", project=project, date=today + datetime.timedelta(days=8))
    assert exc.value.field == "date"


def test_project_is_required(agent):
    with pytest.raises(DomainError) as exc:
        log(agent, "1")
    assert exc.value.field == "project"


def test_ticket_of_a_team_without_timesheets_is_refused(agent, customer):
    team = TeamFactory(name="Sales desk", use_timesheets=False, use_billing=False)
    ticket = TicketFactory(team=team, customer=customer)
    with pytest.raises(DomainError) as exc:
        log(agent, "1", ticket=ticket)
    assert exc.value.field == "ticket"


def test_project_is_derived_from_the_ticket_team(agent, ticket):
    line = log(agent, "1", ticket=ticket)
    assert line.project_id == ticket.team.project_id


def test_project_is_derived_from_the_task(agent):
    task = TaskFactory()
    assert log(agent, "1", task=task).project_id == task.project_id


def test_ticket_item_is_the_default_order_line(agent, ticket, make_order, prepaid_product):
    _, line = make_order(prepaid_product, "50")
    ticket.sale_line = line
    ticket.save()
    assert log(agent, "2", ticket=ticket).sale_line == line
    assert delivered(line) == Decimal("2.00")


def test_default_order_line_chain_task_then_project(make_order, prepaid_product, customer, agent):
    _, task_line = make_order(prepaid_product, "10")
    _, project_line = make_order(prepaid_product, "10")
    project = ProjectFactory(customer=customer, sale_line=project_line)
    task = TaskFactory(project=project, sale_line=task_line)
    assert ts_selectors.timesheet_default_sale_line(task=task, project=project) == task_line
    assert ts_selectors.timesheet_default_sale_line(project=project) == project_line
    project.billable = False
    assert ts_selectors.timesheet_default_sale_line(project=project) is None
    assert log(agent, "1", task=task).sale_line == task_line


def test_explicit_none_makes_the_line_not_billable(agent, ticket, make_order, prepaid_product):
    _, line = make_order(prepaid_product, "50")
    ticket.sale_line = line
    ticket.save()
    assert log(agent, "2", ticket=ticket, sale_line=None).sale_line is None
    assert delivered(line) == Decimal("0")


def test_order_line_of_another_customer_is_refused(agent, ticket, make_order, prepaid_product):
    _, foreign = make_order(prepaid_product, "10", customer=CustomerFactory(name="Initech"))
    with pytest.raises(DomainError) as exc:
        log(agent, "1", ticket=ticket, sale_line=foreign)
    assert exc.value.field == "sale_line"


def test_order_line_of_a_quotation_is_refused(agent, project, make_order, prepaid_product):
    _, line = make_order(prepaid_product, "10", confirm=False)
    with pytest.raises(DomainError) as exc:
        log(agent, "1", project=project, sale_line=line)
    assert exc.value.field == "sale_line"


def test_line_sold_in_days_counts_delivered_days(agent, project, make_order, prepaid_product, days):
    _, line = make_order(prepaid_product, "10", uom=days)
    for days_ago, hours in enumerate(("8", "8", "8", "6")):
        log(agent, hours, project=project, sale_line=line, date=TODAY - datetime.timedelta(days=days_ago))
    line.refresh_from_db()
    assert line.qty_delivered == Decimal("3.75")
    assert line.remaining_hours == Decimal("50.00")


def test_prepaid_consumption_and_upselling(agent, project, make_order, prepaid_product):
    order, line = make_order(prepaid_product, "50")
    for days_ago in range(3):
        log(agent, "10", project=project, sale_line=line, date=TODAY - datetime.timedelta(days=days_ago))
    line.refresh_from_db()
    assert (line.qty_delivered, line.remaining_hours) == (Decimal("30.00"), Decimal("20.00"))
    assert line.qty_to_invoice == Decimal("50.00")  # prepaid: the ordered quantity is billed


def test_update_moves_delivered_between_order_lines(agent, project, make_order, prepaid_product):
    _, first = make_order(prepaid_product, "10")
    _, second = make_order(prepaid_product, "10")
    timesheet = log(agent, "3", project=project, sale_line=first)
    ts.timesheet_update(line=timesheet, user=agent, sale_line=second, hours=Decimal("4"))
    assert (delivered(first), delivered(second)) == (Decimal("0"), Decimal("4.00"))
    assert timesheet.hours == Decimal("4.00")


def test_update_refuses_bad_hours(agent, project):
    timesheet = log(agent, "3", project=project)
    with pytest.raises(DomainError) as exc:
        ts.timesheet_update(line=timesheet, user=agent, hours=Decimal("25"))
    assert exc.value.field == "hours"
    timesheet.refresh_from_db()
    assert timesheet.hours == Decimal("3.00")


def test_changing_the_ticket_takes_its_item(agent, customer, make_order, prepaid_product):
    _, first = make_order(prepaid_product, "10")
    _, second = make_order(prepaid_product, "10")
    team = TeamFactory(name="Field")
    team.members.add(agent)
    ticket_a = TicketFactory(team=team, customer=customer, sale_line=first)
    ticket_b = TicketFactory(team=team, customer=customer, sale_line=second)
    timesheet = log(agent, "2", ticket=ticket_a)
    ts.timesheet_update(line=timesheet, user=agent, ticket=ticket_b)
    assert timesheet.sale_line_id == second.pk
    assert (delivered(first), delivered(second)) == (Decimal("0"), Decimal("2.00"))


def test_delete_recomputes_delivered(agent, project, make_order, prepaid_product):
    _, line = make_order(prepaid_product, "10")
    keep = log(agent, "1.5", project=project, sale_line=line)
    gone = log(agent, "2", project=project, sale_line=line)
    ts.timesheet_delete(line=gone, user=agent)
    assert delivered(line) == Decimal("1.50")
    assert TimesheetLine.objects.get() == keep


def test_relink_moves_unbilled_lines_of_a_ticket(agent, ticket, make_order, prepaid_product):
    _, first = make_order(prepaid_product, "10")
    _, second = make_order(prepaid_product, "10")
    log(agent, "1", ticket=ticket, sale_line=first)
    log(agent, "2", ticket=ticket, sale_line=first)
    other = log(agent, "4", project=ticket.team.project, sale_line=first)
    moved = ts.timesheets_relink_sale_line(ticket=ticket, sale_line=second, user=agent)
    assert moved == 2
    assert (delivered(first), delivered(second)) == (Decimal("4.00"), Decimal("3.00"))
    assert ts.timesheets_relink_sale_line(ticket=ticket, sale_line=None, user=agent) == 2
    assert delivered(second) == Decimal("0")
    other.refresh_from_db()
    assert other.sale_line == first


def test_relink_refuses_a_line_of_another_customer(agent, ticket, make_order, prepaid_product):
    _, foreign = make_order(prepaid_product, "10", customer=CustomerFactory(name="Initech"))
    with pytest.raises(DomainError) as exc:
        ts.timesheets_relink_sale_line(ticket=ticket, sale_line=foreign, user=agent)
    assert exc.value.field == "sale_line"


def test_lines_saved_by_the_model_also_update_delivered(agent, project, make_order, prepaid_product):
    _, line = make_order(prepaid_product, "10")
    row = TimesheetLineFactory(project=project, sale_line=line, hours=Decimal("2.25"), employee=agent)
    assert delivered(line) == Decimal("2.25")
    row.delete()
    assert delivered(line) == Decimal("0")


@pytest.mark.parametrize("existing", [1, 40])
def test_logging_a_line_takes_at_most_14_queries(
    agent, ticket, make_order, prepaid_product, django_assert_max_num_queries, existing
):
    _, line = make_order(prepaid_product, "500")
    ticket.sale_line = line
    ticket.save()
    for days_ago in range(1, existing + 1):  # earlier days: today's total stays under 24 h
        TimesheetLineFactory(
            project=ticket.team.project,
            ticket=ticket,
            sale_line=line,
            employee=agent,
            date=TODAY - datetime.timedelta(days=days_ago),
        )
    ticket = type(ticket).objects.get(pk=ticket.pk)
    # 14: the 10 of logging, the check that the agent belongs to the ticket's team, the day's
    # advisory lock and the day's total (the 24 h cap), the audit event's INSERT.
    with django_assert_max_num_queries(14):
        log(agent, "1", ticket=ticket)
    assert delivered(line) == Decimal(existing + 1)


def test_task_line_logged_without_project(agent, customer, make_order, prepaid_product):
    _, line = make_order(prepaid_product, "10")
    task = TaskFactory(project=ProjectFactory(customer=customer), sale_line=line, customer=customer)
    log(agent, "1", task=Task.objects.get(pk=task.pk))
    assert delivered(line) == Decimal("1.00")


def test_an_admin_can_set_another_employee(agent, project):
    other = UserFactory(username="other-agent", roles=["agent"])
    admin = UserFactory(username="desk-admin", roles=["admin"])
    timesheet = log(agent, "1", project=project)
    with pytest.raises(DomainError) as refused:
        ts.timesheet_update(line=timesheet, user=agent, employee=other)
    assert refused.value.field == "employee"
    ts.timesheet_update(line=timesheet, user=admin, employee=other, description="Call")
    timesheet.refresh_from_db()
    assert (timesheet.employee, timesheet.description) == (other, "Call")


def test_billed_guard_is_a_conflict_error_subclass():
    assert issubclass(ConflictError, DomainError)
