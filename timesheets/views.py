"""Browser views of the timesheets app: the timer (panel, header widget, stop dialog) and the
timesheet lines list with its CSV export.

Timer actions answer `HX-Trigger: timer-changed` (and `timesheets-changed` when a line was
logged): every timer panel and the header widget reload themselves on those events.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from core import policy
from core.csv_safe import SafeWriter
from core.display import format_day, format_hours
from core.errors import DomainError
from core.filters import filter_for_page
from core.listing import SORT_PARAM, list_context, querystring
from core.pagination import CappedPaginator
from core.views import apply_domain_error, int_or_none
from projects.models import Task

from . import selectors, timers
from .filters import TIMESHEET_SORTS, TimesheetLineListFilter
from .forms import TimerStopForm
from .models import Timer
from .tickets import ticket_team

PAGE_SIZE = 50


# --- Who may time what ----------------------------------------------------------------------
def _ticket_for_timer(user, ticket_id):
    """A ticket the user may log time on (a member of its team; admins any), else 404."""
    ticket = policy.visible(user, "ticket.log_time").filter(pk=ticket_id).first()
    if ticket is None:
        raise Http404("No such ticket.")
    return ticket


def _task_for_timer(user, task_id):
    task = Task.objects.filter(pk=task_id).first()
    if task is None:
        raise Http404("No such task.")
    return task


def _target(request, source):
    ticket_id, task_id = int_or_none(source.get("ticket")), int_or_none(source.get("task"))
    if ticket_id:
        return _ticket_for_timer(request.user, ticket_id), None
    if task_id:
        return None, _task_for_timer(request.user, task_id)
    raise Http404("A timer runs on a ticket or a task.")


def _own_timer(request, timer_id) -> Timer:
    timer = Timer.objects.filter(pk=timer_id, user=request.user).select_related("ticket", "task").first()
    if timer is None:
        raise Http404("No such timer.")
    return timer


def _changed(*events, status=200) -> HttpResponse:
    """An empty answer (the buttons swap nothing) carrying the events; its 200 lets htmx show the
    action's message out of band (core.htmx_messages)."""
    response = HttpResponse(status=status)
    for event in events:
        trigger_client_event(response, event)
    return response


def _on(timer) -> str:
    return f"ticket #{timer.ticket_id}" if timer.ticket_id else f"task {timer.task.title}"


# --- Timer panel and header widget ----------------------------------------------------------
def _hms(seconds: int) -> str:
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def task_url(task_id) -> str:
    """The task page of the projects app, when it exists."""
    if not task_id:
        return ""
    for name in ("projects:task_detail", "projects:task"):
        for kwargs in ({"pk": task_id}, {"task_id": task_id}):
            try:
                return reverse(name, kwargs=kwargs)
            except NoReverseMatch:
                continue
    return ""


def _timer_context(timer, **extra) -> dict:
    elapsed = timers.timer_elapsed_seconds(timer) if timer else 0
    elapsed_ms = elapsed * 1000
    if timer and timer.state == Timer.State.RUNNING and timer.running_since:
        # Sub-second precision, so every clock on the page (panel, header) shows the same second.
        delta = timezone.now() - timer.running_since
        elapsed_ms = timer.accumulated_seconds * 1000 + max(0, int(delta.total_seconds() * 1000))
    context = {
        "timer": timer,
        "elapsed": elapsed,
        "elapsed_ms": elapsed_ms,
        "elapsed_display": _hms(elapsed),
        "task_url": task_url(timer.task_id) if timer else "",
        "step": getattr(settings, "TIMER_ROUNDING_MINUTES", 15),
        "minimum": getattr(settings, "TIMER_MINIMUM_MINUTES", 15),
    }
    context.update(extra)
    context["elapsed_display"] = _hms(context["elapsed"])
    return context


@policy.permission_required("timer.use")
@require_GET
def timer_panel(request):
    """The start/pause/resume/stop buttons of one ticket or task (see partials/timer.html)."""
    ticket, task = _target(request, request.GET)
    timer = timers.timer_for_object(user=request.user, ticket=ticket, task=task)
    blocked = ticket is not None and not ticket_team(ticket).use_timesheets
    return render(
        request,
        "timesheets/partials/timer_panel.html",
        _timer_context(timer, ticket=ticket, task=task, blocked=blocked),
    )


@login_required
@require_GET
def timer_widget(request):
    """The header widget: the user's running (else last paused) timer, with a link to its object."""
    timer = (
        timers.timer_current_for_user(user=request.user) if policy.may(request.user, "timer.use") else None
    )
    return render(request, "timesheets/partials/timer_widget.html", _timer_context(timer))


# --- Timer actions --------------------------------------------------------------------------
@policy.permission_required("timer.use")
@require_POST
def timer_start(request):
    ticket, task = _target(request, request.POST)
    try:
        timer = timers.timer_start(user=request.user, ticket=ticket, task=task)
    except DomainError as exc:
        return HttpResponse(exc.message, status=400)
    messages.success(request, f"Timer started on {_on(timer)}.")
    return _changed("timer-changed")


@policy.permission_required("timer.use")
@require_POST
def timer_pause(request, timer_id: int):
    timer = timers.timer_pause(timer=_own_timer(request, timer_id), user=request.user)
    messages.info(request, f"Timer paused on {_on(timer)}.")
    return _changed("timer-changed")


@policy.permission_required("timer.use")
@require_POST
def timer_resume(request, timer_id: int):
    timer = timers.timer_resume(timer=_own_timer(request, timer_id), user=request.user)
    messages.info(request, f"Timer resumed on {_on(timer)}.")
    return _changed("timer-changed")


@policy.permission_required("timer.use")
@require_POST
def timer_discard(request, timer_id: int):
    timer = _own_timer(request, timer_id)
    timers.timer_discard(timer=timer, user=request.user)
    messages.info(request, f"Timer on {_on(timer)} discarded; no time logged.")
    return _changed("timer-changed")


@policy.permission_required("timer.use")
@require_http_methods(["GET", "POST"])
def timer_stop(request, timer_id: int):
    """GET: the dialog confirming the rounded duration and asking a description; POST: log it."""
    timer = _own_timer(request, timer_id)
    elapsed = timers.timer_elapsed_seconds(timer)
    if request.method == "GET":
        form = TimerStopForm(initial={"hours": timers.timer_round_hours(elapsed)})
    else:
        form = TimerStopForm(request.POST)
        if form.is_valid():
            try:
                line = timers.timer_stop(timer=timer, user=request.user, **form.cleaned_data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                logged = f"{format_hours(line.hours)} h logged on {_on(timer)} ({format_day(line.date)})."
                messages.success(request, logged)
                # Empty the modal (or say what went past the hours sold); the panels, the widget
                # and the ticket's timesheets reload.
                response = _changed("timer-changed", "timesheets-changed", status=200)
                past_sold = selectors.order_lines_past_sold_hours(line_ids=[line.sale_line_id])
                response.content = (
                    render_to_string(
                        "timesheets/partials/timer_logged_warning.html",
                        {"line": line, "past_sold": past_sold},
                        request=request,
                    ).encode()
                    if past_sold
                    else b""
                )
                return response
    return render(
        request,
        "timesheets/partials/timer_stop_dialog.html",
        _timer_context(timer, form=form, elapsed=elapsed),
    )


# --- Timesheet lines list -------------------------------------------------------------------
def _filtered_lines(request):
    filterset = TimesheetLineListFilter(
        request.GET,
        queryset=selectors.timesheet_lines_visible(user=request.user),
        request=request,
        employees=selectors.employees_with_timesheets(),
    )
    lines = filter_for_page(filterset).select_related(
        "employee", "project", "task", "ticket", "sale_line", "sale_line__order", "invoice"
    )
    return filterset, lines


@policy.permission_required("timesheet.view")
@require_GET
def line_list(request):
    filterset, lines = _filtered_lines(request)
    sort = TIMESHEET_SORTS.parse(request.GET.get(SORT_PARAM))
    if request.GET.get("format") == "csv":
        return _csv(TIMESHEET_SORTS.order(lines, sort))
    # A bounded count and no whole-table SUM: at a million lines both cost seconds per page.
    paginator = CappedPaginator(TIMESHEET_SORTS.order(lines, sort), PAGE_SIZE)
    refused_sort = None
    if paginator.capped and not sort.cheap:
        # Sorting a million lines by a column without an index costs seconds: date order.
        refused_sort, sort = sort, TIMESHEET_SORTS.default_sort()
        paginator.object_list = TIMESHEET_SORTS.order(lines, sort)
    page = paginator.get_page(request.GET.get("page"))
    totals = None if paginator.capped else selectors.timesheet_lines_totals(lines)
    page_lines = list(page.object_list)
    # Daily totals (every page's lines of that day), shown under the last line of each day: only
    # while the lines are in date order.
    days = [line.date for line in page_lines] if sort.key == "date" else []
    day_totals = selectors.timesheet_lines_day_totals(lines, days=days)
    for index, line in enumerate(page_lines):
        following = page_lines[index + 1] if index + 1 < len(page_lines) else None
        last_of_day = following is None or following.date != line.date
        line.day_total = day_totals.get(line.date) if last_of_day else None
    return render(
        request,
        "timesheets/line_list.html",
        {
            **list_context(request, sort=sort, page=page, filterset=filterset),
            "lines": page_lines,
            "total_hours": totals[0] if totals else None,
            "total_billed": totals[1] if totals else None,
            "count_cap": paginator.cap,
            "refused_sort": refused_sort,
            "export_query": querystring(request.GET, page=None, format="csv"),
        },
    )


class _Echo:
    def write(self, value):
        return value


def _csv(lines):
    writer = SafeWriter(_Echo())
    header = [
        "date",
        "employee",
        "description",
        "hours",
        "billed_hours",
        "project",
        "task",
        "ticket",
        "order",
        "invoice",
    ]

    def rows():
        yield writer.writerow(header)
        for line in lines.iterator(chunk_size=1000):
            yield writer.writerow(
                [
                    line.date.isoformat(),
                    line.employee.get_full_name() or line.employee.username,
                    line.description,
                    f"{line.hours:.2f}",
                    f"{line.billed:.2f}" if line.sale_line_id else "",
                    line.project.name,
                    line.task.title if line.task_id else "",
                    line.ticket_id or "",
                    line.sale_line.order.name if line.sale_line_id else "",
                    (line.invoice.number or f"draft #{line.invoice_id}") if line.invoice_id else "",
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="timesheets.csv"'
    return response
