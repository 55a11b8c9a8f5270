"""The Timesheets section of the ticket page (htmx): the ticket's lines, total and remaining
hours, adding, changing and deleting a line inline. Time is written through timesheets.services.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core import policy
from core.display import format_day, format_hours
from core.errors import DomainError
from core.models import User
from core.views import apply_domain_error, int_or_none
from timesheets import services as timesheet_services
from timesheets.models import TimesheetLine
from timesheets.selectors import order_lines_past_sold_hours

from . import selectors
from .forms import TicketForm, TimesheetLineForm

LINES_SHOWN = 50  # the newest lines of the ticket; the timesheets list shows them all


def _employees(ticket, user):
    return (
        User.objects.filter(Q(helpdesk_teams=ticket.team) | Q(pk=user.pk))
        .distinct()
        .order_by("first_name", "username")
    )


def timesheet_section_context(
    request, ticket, *, can_write, add_form=None, edit_form=None, edit_line=None, error=None, past_sold=()
) -> dict:
    lines = selectors.ticket_timesheets(ticket=ticket, limit=LINES_SHOWN)
    total = selectors.ticket_total_hours(ticket=ticket)
    remaining = selectors.ticket_remaining_hours(ticket=ticket)
    if add_form is None and can_write:
        add_form = TimesheetLineForm(
            employees=_employees(ticket, request.user),
            initial={"date": timezone.localdate(), "employee": request.user.pk},
            prefix="new",
        )
    return {
        "ticket": ticket,
        "lines": lines,
        "lines_truncated": len(lines) >= LINES_SHOWN,
        "total_hours": total,
        "remaining_hours": remaining,
        # SPEC Helpdesk: past the prepaid hours the ticket keeps its item; the agent is warned.
        "prepaid_used_up": remaining is not None and remaining <= 0,
        # Just logged past the hours sold (prepaid block or post-paid estimate): said once, here.
        "past_sold": past_sold,
        "add_form": add_form,
        "edit_form": edit_form,
        "edit_line": edit_line,
        "can_write": can_write,
        "can_log": can_write and ticket.team.use_timesheets,
        "error": error,
    }


def _item_options(request, ticket):
    """The ticket form's Sales order item <select>, swapped out of band so that the "h left" in
    its labels follows the timesheet just changed. The section's requests send the form's
    current customer and item (possibly unsaved): the choices and the selection stay theirs,
    also when the item's prepaid hours have run out."""
    params = request.POST if request.method == "POST" else request.GET
    customer = int_or_none(params["customer"]) if "customer" in params else ticket.customer_id
    selected = params.get("sale_line", ticket.sale_line_id)
    form = TicketForm(
        teams=[ticket.team],
        ticket=ticket,
        initial={"team": ticket.team_id, "customer": customer, "sale_line": selected},
    )
    # The whole <select> is replaced (not its options inside the old one): the browser then takes
    # the `selected` option as it is, never another option (SPEC Helpdesk: the item stays).
    form.fields["sale_line"].widget.attrs["hx-swap-oob"] = "outerHTML"
    return form["sale_line"]


def _render_timesheets(request, ticket, **kwargs):
    can_write = selectors.user_can_write_team(user=request.user, team=ticket.team)
    context = timesheet_section_context(request, ticket, can_write=can_write, **kwargs)
    context["oob"] = True
    context["item_options"] = _item_options(request, ticket)
    return render(request, "helpdesk/partials/timesheets.html", context)


def _ticket_line(ticket, line_id) -> TimesheetLine:
    line = TimesheetLine.objects.filter(pk=line_id, ticket=ticket).select_related("employee").first()
    if line is None:
        raise Http404("No such timesheet line on this ticket.")
    return line


@login_required
@require_http_methods(["GET", "POST"])
def ticket_timesheets(request, ticket_id: int):
    """GET: the Timesheets section; POST: add a line inline (htmx)."""
    policy.check(request.user, "ticket.view")
    ticket = selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id)
    if request.method == "GET":
        return _render_timesheets(request, ticket)
    policy.check(request.user, "ticket.change", ticket.team)
    form = TimesheetLineForm(request.POST, employees=_employees(ticket, request.user), prefix="new")
    if form.is_valid():
        try:
            line = timesheet_services.timesheet_log(user=request.user, ticket=ticket, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"{format_hours(line.hours)} h logged on {format_day(line.date)}.")
            ticket = selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id)
            past_sold = order_lines_past_sold_hours(line_ids=[line.sale_line_id])
            return _render_timesheets(request, ticket, past_sold=past_sold)
    return _render_timesheets(request, ticket, add_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def ticket_timesheet_edit(request, ticket_id: int, line_id: int):
    """GET: the line as an inline form; POST: save it (billed lines answer a clear error)."""
    policy.check(request.user, "ticket.view")
    ticket = selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id)
    policy.check(request.user, "ticket.change", ticket.team)
    line = _ticket_line(ticket, line_id)
    employees = _employees(ticket, request.user)
    if request.method == "GET":
        if request.GET.get("cancel"):
            return _render_timesheets(request, ticket)
        form = TimesheetLineForm.for_line(line, employees=employees)
        return _render_timesheets(request, ticket, edit_form=form, edit_line=line)
    form = TimesheetLineForm.for_line(line, employees=employees, data=request.POST)
    if form.is_valid():
        try:
            line = timesheet_services.timesheet_update(line=line, user=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "Timesheet line saved.")
            ticket = selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id)
            past_sold = order_lines_past_sold_hours(line_ids=[line.sale_line_id])
            return _render_timesheets(request, ticket, past_sold=past_sold)
    return _render_timesheets(request, ticket, edit_form=form, edit_line=line)


@login_required
@require_POST
def ticket_timesheet_delete(request, ticket_id: int, line_id: int):
    policy.check(request.user, "ticket.view")
    ticket = selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id)
    policy.check(request.user, "ticket.change", ticket.team)
    line = _ticket_line(ticket, line_id)
    try:
        timesheet_services.timesheet_delete(line=line, user=request.user)
    except DomainError as exc:
        return _render_timesheets(request, ticket, error=exc.message)
    messages.success(request, "Timesheet line deleted.")
    ticket = selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id)
    return _render_timesheets(request, ticket)
