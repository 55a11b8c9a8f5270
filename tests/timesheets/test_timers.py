import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import DomainError
from tests.factories import TaskFactory, TeamFactory, TicketFactory, UserFactory
from timesheets import timers
from timesheets.models import Timer, TimesheetLine

pytestmark = pytest.mark.django_db


def _age(timer, seconds):
    """Pretend the running segment started `seconds` ago."""
    Timer.objects.filter(pk=timer.pk).update(
        running_since=timezone.now() - datetime.timedelta(seconds=seconds)
    )
    timer.refresh_from_db()
    return timer


def test_starting_a_timer_records_it_running_in_the_database(prepaid):
    timer = timers.timer_start(user=prepaid.agent, ticket=prepaid.ticket)
    timer.refresh_from_db()
    assert timer.state == Timer.State.RUNNING
    assert timer.running_since is not None
    assert timer.ticket == prepaid.ticket


def test_starting_another_timer_pauses_the_running_one(prepaid):
    first = timers.timer_start(user=prepaid.agent, ticket=prepaid.ticket)
    _age(first, 120)
    other = TicketFactory(team=prepaid.team, customer=prepaid.customer)
    second = timers.timer_start(user=prepaid.agent, ticket=other)
    first.refresh_from_db()
    assert first.state == Timer.State.PAUSED
    assert first.accumulated_seconds >= 120
    assert second.state == Timer.State.RUNNING
    assert Timer.objects.filter(user=prepaid.agent, state="running").count() == 1


def test_starting_the_timer_of_a_paused_ticket_resumes_it_instead_of_a_second_timer(prepaid):
    timer = timers.timer_start(user=prepaid.agent, ticket=prepaid.ticket)
    timers.timer_pause(timer=timer, user=prepaid.agent)
    again = timers.timer_start(user=prepaid.agent, ticket=prepaid.ticket)
    assert again.pk == timer.pk
    assert again.state == Timer.State.RUNNING
    assert Timer.objects.filter(user=prepaid.agent).count() == 1


def test_pause_keeps_the_elapsed_time_and_resume_counts_on(prepaid):
    timer = _age(timers.timer_start(user=prepaid.agent, ticket=prepaid.ticket), 600)
    timer = timers.timer_pause(timer=timer, user=prepaid.agent)
    assert timer.state == Timer.State.PAUSED
    assert 600 <= timer.accumulated_seconds < 610
    assert timers.timer_elapsed_seconds(timer) == timer.accumulated_seconds
    timer = _age(timers.timer_resume(timer=timer, user=prepaid.agent), 60)
    assert 660 <= timers.timer_elapsed_seconds(timer) < 680


def test_resuming_pauses_the_users_other_running_timer(prepaid):
    first = timers.timer_start(user=prepaid.agent, ticket=prepaid.ticket)
    timers.timer_pause(timer=first, user=prepaid.agent)
    second = timers.timer_start(user=prepaid.agent, ticket=TicketFactory(team=prepaid.team))
    timers.timer_resume(timer=first, user=prepaid.agent)
    second.refresh_from_db()
    assert second.state == Timer.State.PAUSED


def test_other_users_timers_are_independent(prepaid):
    colleague = UserFactory(roles=["agent"])
    prepaid.team.members.add(colleague)
    mine = timers.timer_start(user=prepaid.agent, ticket=prepaid.ticket)
    theirs = timers.timer_start(user=colleague, ticket=prepaid.ticket)
    mine.refresh_from_db()
    assert mine.state == theirs.state == Timer.State.RUNNING


def test_stopping_logs_the_rounded_duration_on_the_tickets_item_and_removes_the_timer(prepaid):
    timer = _age(timers.timer_start(user=prepaid.agent, ticket=prepaid.ticket), 16 * 60)
    line = timers.timer_stop(timer=timer, user=prepaid.agent, description="Replaced the toner")
    assert line.hours == Decimal("0.50")
    assert line.ticket == prepaid.ticket
    assert line.employee == prepaid.agent
    assert line.sale_line == prepaid.line
    assert line.project == prepaid.team.project
    assert line.description == "Replaced the toner"
    assert not Timer.objects.filter(pk=timer.pk).exists()


def test_a_few_seconds_log_the_minimum_quarter_hour(prepaid):
    timer = _age(timers.timer_start(user=prepaid.agent, ticket=prepaid.ticket), 7)
    line = timers.timer_stop(timer=timer, user=prepaid.agent)
    assert line.hours == Decimal("0.25")


def test_the_agent_may_confirm_another_duration_on_stop(prepaid):
    timer = timers.timer_start(user=prepaid.agent, ticket=prepaid.ticket)
    line = timers.timer_stop(timer=timer, user=prepaid.agent, hours=Decimal("1.75"))
    assert line.hours == Decimal("1.75")


def test_a_refused_duration_leaves_the_timer_and_logs_nothing(prepaid):
    timer = timers.timer_start(user=prepaid.agent, ticket=prepaid.ticket)
    with pytest.raises(DomainError) as exc:
        timers.timer_stop(timer=timer, user=prepaid.agent, hours=Decimal("25"))
    assert exc.value.field == "hours"
    assert Timer.objects.filter(pk=timer.pk).exists()
    assert not TimesheetLine.objects.exists()


def test_no_timer_on_a_ticket_of_a_team_without_timesheets(agent):
    team = TeamFactory(use_timesheets=False, use_billing=False, members=[agent])
    ticket = TicketFactory(team=team)
    with pytest.raises(DomainError) as exc:
        timers.timer_start(user=agent, ticket=ticket)
    assert exc.value.field == "ticket"
    assert not Timer.objects.exists()


def test_a_timer_on_a_task_logs_on_the_tasks_project(agent):
    task = TaskFactory()
    timer = _age(timers.timer_start(user=agent, task=task), 3600)
    line = timers.timer_stop(timer=timer, user=agent, description="On site")
    assert line.task == task
    assert line.project == task.project
    assert line.ticket is None
    assert line.hours == Decimal("1.00")


def test_the_header_shows_the_running_timer_else_the_last_paused_one(prepaid):
    assert timers.timer_current_for_user(user=prepaid.agent) is None
    first = timers.timer_start(user=prepaid.agent, ticket=prepaid.ticket)
    assert timers.timer_current_for_user(user=prepaid.agent) == first
    timers.timer_pause(timer=first, user=prepaid.agent)
    assert timers.timer_current_for_user(user=prepaid.agent) == first
