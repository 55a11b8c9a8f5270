"""The timesheets' figures on the home page (core.home): my hours today and this week, my timer."""

import datetime
from urllib.parse import urlencode

from django.db.models import Q, Sum
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from core.home import Figure, hours
from core.links import link_url

from .models import Timer, TimesheetLine
from .timers import timer_elapsed_seconds


def _lines_url(*, user, start: datetime.date, end: datetime.date) -> str:
    params = urlencode({"employee": user.pk, "date_from": start.isoformat(), "date_to": end.isoformat()})
    return f"{reverse('timesheets:line_list')}?{params}"


def _timer_url(timer: Timer) -> str:
    if timer.ticket_id:
        return link_url("ticket", timer.ticket_id)
    try:
        return reverse("projects:task_detail", args=[timer.task_id])
    except NoReverseMatch:
        return ""


def _timer_figure(timer: Timer | None) -> Figure:
    if timer is None:
        return Figure(key="timer", label="No timer running", value="—", url="", position=40)
    seconds = timer_elapsed_seconds(timer)
    subject = f"#{timer.ticket_id} {timer.ticket.title}" if timer.ticket_id else timer.task.title
    return Figure(
        key="timer",
        label="Running timer",
        value=f"{seconds // 3600}:{seconds % 3600 // 60:02d}",
        url=_timer_url(timer),
        hint=subject,
        attention=True,
        position=40,
    )


def agent_figures(*, user) -> list[Figure]:
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    sunday = monday + datetime.timedelta(days=6)
    # One query on the (employee, date) index for both sums.
    totals = TimesheetLine.objects.filter(employee=user, date__gte=monday, date__lte=sunday).aggregate(
        today=Sum("hours", filter=Q(date=today)), week=Sum("hours")
    )
    timer = (
        Timer.objects.filter(user=user, state=Timer.State.RUNNING).select_related("ticket", "task").first()
    )
    return [
        Figure(
            key="hours_today",
            label="My hours today",
            value=hours(totals["today"] or 0),
            url=_lines_url(user=user, start=today, end=today),
            position=20,
        ),
        Figure(
            key="hours_week",
            label="My hours this week",
            value=hours(totals["week"] or 0),
            url=_lines_url(user=user, start=monday, end=sunday),
            position=30,
        ),
        _timer_figure(timer),
    ]
