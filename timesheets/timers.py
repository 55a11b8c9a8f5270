"""Timers on tickets and tasks: start / pause / resume / stop, elapsed time, rounding.

State lives in the database (`Timer`): finished running segments in `accumulated_seconds`,
the current one from `running_since`. A user has at most one running timer (partial unique
constraint); starting or resuming one pauses the others. Every write first locks the user's
row, so two tabs clicking at once are serialized instead of hitting the constraint.

Stopping converts the elapsed time to hours, rounded UP to settings.TIMER_ROUNDING_MINUTES
with a minimum of settings.TIMER_MINIMUM_MINUTES (both default 15), and logs a timesheet line
through `timesheets.services.timesheet_log` (which owns the line rules).
"""

import math
from datetime import date as date_type
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.errors import DomainError
from core.models import User
from core.money import quantize_qty

from .models import Timer, TimesheetLine
from .services import timesheet_day_lock, timesheet_log
from .tickets import ticket_team


# --- Reads ----------------------------------------------------------------------------------
def timer_elapsed_seconds(timer: Timer, *, now=None) -> int:
    seconds = timer.accumulated_seconds
    if timer.state == Timer.State.RUNNING and timer.running_since is not None:
        now = now or timezone.now()
        seconds += max(0, int((now - timer.running_since).total_seconds()))
    return seconds


def timer_round_hours(
    seconds: int, *, step_minutes: int | None = None, minimum_minutes: int | None = None
) -> Decimal:
    """Elapsed seconds → hours (Decimal, 2 places), rounded UP to the step, at least the minimum.

    7 s → 0.25 h; 15 min → 0.25 h; 16 min → 0.50 h (defaults: step 15, minimum 15).
    """
    step = getattr(settings, "TIMER_ROUNDING_MINUTES", 15) if step_minutes is None else step_minutes
    minimum = getattr(settings, "TIMER_MINIMUM_MINUTES", 15) if minimum_minutes is None else minimum_minutes
    step_seconds = max(int(step), 1) * 60 if step else 60
    rounded = math.ceil(max(int(seconds), 0) / step_seconds) * step_seconds
    rounded = max(rounded, max(int(minimum), 0) * 60)
    return quantize_qty(Decimal(rounded) / Decimal(3600))


def timer_current_for_user(*, user: User) -> Timer | None:
    """The running timer, else the most recently touched paused one (the header widget shows it)."""
    if not user.is_authenticated:
        return None
    timers = Timer.objects.filter(user=user).select_related("ticket", "task")
    running = [t for t in timers if t.state == Timer.State.RUNNING]
    if running:
        return running[0]
    return max(timers, key=lambda t: t.updated_at, default=None)


def timer_for_object(*, user: User, ticket=None, task=None) -> Timer | None:
    filters = {"ticket": ticket} if ticket is not None else {"task": task, "ticket__isnull": True}
    return Timer.objects.filter(user=user, **filters).order_by("-updated_at").first()


# --- Writes ---------------------------------------------------------------------------------
def _lock_user(user: User) -> None:
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()


def _pause(timer: Timer, now) -> None:
    timer.accumulated_seconds = timer_elapsed_seconds(timer, now=now)
    timer.state = Timer.State.PAUSED
    timer.running_since = None
    timer.save(update_fields=["accumulated_seconds", "state", "running_since", "updated_at"])


def _pause_others(user: User, *, keep: Timer | None, now) -> None:
    running = Timer.objects.filter(user=user, state=Timer.State.RUNNING)
    if keep is not None and keep.pk:
        running = running.exclude(pk=keep.pk)
    for other in running:
        _pause(other, now)


def _check_target(ticket, task) -> None:
    if ticket is None and task is None:
        raise DomainError("A timer runs on a ticket or a task.", field="ticket")
    team = ticket_team(ticket) if ticket is not None else None
    if team is not None and not team.use_timesheets:
        raise DomainError(
            f"The team {team} does not use timesheets: time cannot be tracked on this ticket.",
            field="ticket",
        )


def timer_start(*, user: User, ticket=None, task=None) -> Timer:
    """Start (or resume) the user's timer on this ticket or task; a running timer elsewhere is paused."""
    _check_target(ticket, task)
    with transaction.atomic():
        _lock_user(user)
        now = timezone.now()
        timer = timer_for_object(user=user, ticket=ticket, task=task)
        _pause_others(user, keep=timer, now=now)
        if timer is None:
            timer = Timer.objects.create(
                user=user, ticket=ticket, task=task, state=Timer.State.RUNNING, running_since=now
            )
        elif timer.state == Timer.State.PAUSED:
            timer.state = Timer.State.RUNNING
            timer.running_since = now
            timer.save(update_fields=["state", "running_since", "updated_at"])
    return timer


def _locked(timer: Timer) -> Timer:
    _lock_user(timer.user)
    return (
        Timer.objects.select_for_update(of=("self",))
        .select_related("ticket", "ticket__team", "task")
        .get(pk=timer.pk)
    )


def timer_pause(*, timer: Timer, user: User) -> Timer:
    with transaction.atomic():
        timer = _locked(timer)
        if timer.state == Timer.State.RUNNING:
            _pause(timer, timezone.now())
    return timer


def timer_resume(*, timer: Timer, user: User) -> Timer:
    with transaction.atomic():
        timer = _locked(timer)
        if timer.state == Timer.State.PAUSED:
            now = timezone.now()
            _pause_others(timer.user, keep=timer, now=now)
            timer.state = Timer.State.RUNNING
            timer.running_since = now
            timer.save(update_fields=["state", "running_since", "updated_at"])
    return timer


def timer_stop(
    *,
    timer: Timer,
    user: User,
    description: str = "",
    hours: Decimal | None = None,
    date: date_type | None = None,
) -> TimesheetLine:
    """Stop the timer and log its time (`hours` confirmed by the agent, else the rounded elapsed
    time). Atomic: when the line is refused (DomainError), the timer is left as it was."""
    day = date or timezone.localdate()
    with transaction.atomic():
        # The employee's day first (the 24 h cap), before the timer's row: the fixed lock order.
        timesheet_day_lock(timer.user_id, day)
        timer = _locked(timer)
        if hours is None:
            hours = timer_round_hours(timer_elapsed_seconds(timer))
        line = timesheet_log(
            employee=timer.user,
            date=day,
            hours=hours,
            user=user,
            description=description,
            ticket=timer.ticket,
            task=timer.task,
        )
        timer.delete()
    return line


def timer_discard(*, timer: Timer, user: User) -> None:
    with transaction.atomic():
        _locked(timer).delete()
