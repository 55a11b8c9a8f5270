"""Browser views of the helpdesk: ticket list, team pipelines, the ticket form (its Timesheets
section is `timesheet_views.py`, its conversation `conversation_views.py`).

Thin: permissions and input here, rules in services/selectors. Every page runs a fixed number
of queries whatever the number of tickets or timesheet lines.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from audit.selectors import audit_history
from core import policy
from core.errors import DomainError
from core.filters import filter_for_page
from core.listing import SORT_PARAM, list_context
from core.models import User
from core.views import apply_domain_error, int_or_none
from sales.form_fields import customer_filter_input

from . import selectors, services
from .conversation_selectors import waiting_for_us_first
from .conversation_views import conversation_context
from .filters import TICKET_SORTS, TicketFilter
from .forms import TicketForm
from .models import Stage, Ticket
from .timesheet_views import timesheet_section_context

PAGE_SIZE = 50
PIPELINE_PER_COLUMN = 20


def _require_reader(request) -> None:
    policy.check(request.user, "ticket.view")


def _require_writer(request, team) -> None:
    policy.check(request.user, "ticket.change", team)


def _ticket_filterset(request, tickets) -> TicketFilter:
    return TicketFilter(request.GET, queryset=tickets, request=request)


def _filter_values(filterset: TicketFilter) -> dict:
    """The valid filter values, for the selects and boxes of the filter bar."""
    return filterset.form.cleaned_data if filterset.is_valid() else {}


def _querystring(request, *drop) -> str:
    params = request.GET.copy()
    for key in drop:
        params.pop(key, None)
    return params.urlencode()


def _page_number(request) -> int:
    return max(int_or_none(request.GET.get("page")) or 1, 1)


# --- Lists ----------------------------------------------------------------------------------
@login_required
@require_GET
def ticket_list(request):
    """Tickets across the user's teams, with links to each team's pipeline."""
    _require_reader(request)
    visible = selectors.tickets_for_user(user=request.user)
    filterset = _ticket_filterset(request, visible)
    sort = TICKET_SORTS.parse(request.GET.get(SORT_PARAM))
    rows = selectors.ticket_list_rows(filter_for_page(filterset))
    # No column chosen: the customer waits, first.
    rows = TICKET_SORTS.order(rows, sort) if sort.key else waiting_for_us_first(rows)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    teams = list(selectors.teams_for_user(user=request.user))
    filters = _filter_values(filterset)
    return render(
        request,
        "helpdesk/ticket_list.html",
        {
            **list_context(request, sort=sort, page=page, filterset=filterset),
            "tickets": page.object_list,
            "teams": teams,
            "stages": Stage.objects.all(),
            "filters": filters,
            "team_id": filters.get("team"),
            "stage_id": filters.get("stage"),
            "customer_filter": _customer_filter(filters),
            "assignees": _filter_assignees(team_ids=[t.pk for t in teams]),
            "can_create": bool(selectors.user_team_ids_writable(user=request.user)),
        },
    )


def _customer_filter(filters) -> str:
    """The customer of the filter bar, picked by search (thousands of customers)."""
    return customer_filter_input(filters.get("customer"), attrs={"aria-label": "Customer"})


def _filter_assignees(*, team_ids):
    return User.objects.filter(helpdesk_teams__in=team_ids).distinct().order_by("first_name", "username")


@login_required
@require_GET
def pipeline(request, team_id: int):
    """One team's tickets in stage columns (New, In progress, Solved, Cancelled)."""
    _require_reader(request)
    team = selectors.team_get_for_user(user=request.user, team_id=team_id)
    filterset = _ticket_filterset(request, team.tickets.all())
    filters = _filter_values(filterset)
    page = _page_number(request)
    tickets = filter_for_page(filterset)
    columns, has_more = selectors.team_pipeline(
        team=team, tickets=tickets, page=page, per_column=PIPELINE_PER_COLUMN
    )
    context = {
        "team": team,
        "columns": columns,
        "page": page,
        "has_more": has_more,
        "filters": filters,
        "can_write": selectors.user_can_write_team(user=request.user, team=team),
        "customer_filter": _customer_filter(filters),
        "assignees": team.members.order_by("first_name", "username"),
        "querystring": _querystring(request, "page"),
    }
    if request.htmx.target == "pipeline-board":
        return render(request, "helpdesk/partials/pipeline_board.html", context)
    return render(request, "helpdesk/pipeline.html", context)


@login_required
@require_POST
def ticket_move(request, ticket_id: int):
    """Move a ticket to another stage (htmx from the pipeline); answers the refreshed board."""
    _require_reader(request)
    ticket = selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id)
    _require_writer(request, ticket.team)
    stage = ticket.team.stages.filter(pk=int_or_none(request.POST.get("stage"))).first()
    if stage is None:
        return HttpResponse("Unknown stage for this team.", status=400)
    try:
        services.ticket_set_stage(ticket=ticket, stage=stage, user=request.user)
    except DomainError as exc:
        return HttpResponse(exc.message, status=400)
    if request.htmx:
        # The board reloads itself (with its filters) on this event.
        return trigger_client_event(HttpResponse(status=204), "pipeline-changed")
    return redirect("helpdesk:pipeline", team_id=ticket.team_id)


# --- Ticket form ----------------------------------------------------------------------------
def _writable_teams(user):
    ids = selectors.user_team_ids_writable(user=user)
    return list(selectors.teams_for_user(user=user).filter(pk__in=ids))


@login_required
@require_http_methods(["GET", "POST"])
def ticket_create(request):
    _require_reader(request)
    teams = _writable_teams(request.user)
    if not teams:
        raise PermissionDenied(policy.reason("ticket.create"))
    team = next((t for t in teams if t.pk == int_or_none(request.GET.get("team"))), None) or teams[0]
    if request.method == "POST":
        form = TicketForm(request.POST, teams=teams, team=team)
        if form.is_valid():
            data = form.service_fields()
            try:
                ticket = services.ticket_create(user=request.user, **data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, f"Ticket #{ticket.pk} created.")
                return redirect("helpdesk:ticket_detail", ticket_id=ticket.pk)
    else:
        form = TicketForm(teams=teams, team=team, initial={"team": team.pk, "assignee": request.user.pk})
    return render(request, "helpdesk/ticket_form.html", {"form": form, "ticket": None, "team": form.team})


@login_required
@require_http_methods(["GET", "POST"])
def ticket_detail(request, ticket_id: int):
    """The ticket form (edit), its smart buttons, timer and Timesheets section."""
    _require_reader(request)
    ticket = selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id)
    can_write = selectors.user_can_write_team(user=request.user, team=ticket.team)
    teams = _writable_teams(request.user) if can_write else [ticket.team]
    if request.method == "POST":
        _require_writer(request, ticket.team)
        form = TicketForm(request.POST, teams=teams, ticket=ticket)
        if form.is_valid():
            try:
                services.ticket_update(ticket=ticket, user=request.user, **form.service_fields())
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, "Ticket saved.")
                return redirect("helpdesk:ticket_detail", ticket_id=ticket.pk)
    else:
        form = TicketForm(teams=teams, ticket=ticket)
    context = {
        "form": form,
        "ticket": ticket,
        "team": ticket.team,
        "can_write": can_write,
        # The order page is the sales app's (sales and accountants); agents see the name only.
        "order_url": _object_url(("sales:order_detail",), ticket.sale_line and ticket.sale_line.order_id)
        if policy.may(request.user, "order.view")
        else "",
        "task_url": _object_url(("projects:task_detail", "projects:task"), ticket.task_id),
    }
    context.update(timesheet_section_context(request, ticket, can_write=can_write))
    context.update(conversation_context(request, ticket, can_post=can_write))
    context["history"] = audit_history(obj=ticket)
    return render(request, "helpdesk/ticket_form.html", context)


@login_required
@require_GET
def ticket_item_field(request):
    """htmx: the Sales order item field for the chosen customer, with the SPEC default selected."""
    _require_reader(request)
    teams = _writable_teams(request.user)
    team = next((t for t in teams if t.pk == int_or_none(request.GET.get("team"))), None)
    ticket = None
    ticket_id = int_or_none(request.GET.get("ticket"))
    if ticket_id:
        ticket = selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id)
    form = TicketForm(
        teams=teams, ticket=ticket, team=team, initial={"customer": request.GET.get("customer")}
    )
    default = selectors.ticket_default_sale_line(team=team, customer=form.customer) if team else None
    if ticket is not None and ticket.customer_id == (form.customer.pk if form.customer else None):
        selected = ticket.sale_line_id
    else:
        selected = default.pk if default else None
    form.initial["sale_line"] = selected
    return render(request, "helpdesk/partials/item_field.html", {"form": form, "field": form["sale_line"]})


def _object_url(names, pk) -> str:
    """The page of a colleague app's object (order, task), when that page exists."""
    if not pk:
        return ""
    for name in names:
        for kwargs in ({"pk": pk}, {"order_id": pk}, {"task_id": pk}, None):
            try:
                return reverse(name, kwargs=kwargs) if kwargs else reverse(name, args=[pk])
            except NoReverseMatch:
                continue
    return ""


def ticket_url(ticket: Ticket) -> str:
    return reverse("helpdesk:ticket_detail", kwargs={"ticket_id": ticket.pk})
