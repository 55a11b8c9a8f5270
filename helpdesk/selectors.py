"""Helpdesk reads: which teams and tickets a user may see, the pipeline, the ticket's figures."""

import functools
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Count, DecimalField, F, OuterRef, QuerySet, Subquery, Sum, Value, Window
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404

from core import policy
from core.models import User
from core.money import quantize_qty
from sales import selectors as sales_selectors
from timesheets.models import TimesheetLine

from .models import Stage, Team, Ticket

HOURS_ZERO = Decimal("0.00")


# --- Permissions ----------------------------------------------------------------------------
def user_can_read_helpdesk(user: User) -> bool:
    return policy.may(user, "ticket.view")


def user_reads_all_teams(user: User) -> bool:
    return policy.may(user, "ticket.read_all")


def teams_for_user(*, user: User) -> QuerySet[Team]:
    """Agents see the teams they are members of; sales, accountants and admins read every team."""
    teams = Team.objects.select_related("project")
    if not user_can_read_helpdesk(user):
        return teams.none()
    if user_reads_all_teams(user):
        return teams
    return teams.filter(members=user)


def team_get_for_user(*, user: User, team_id) -> Team:
    team = teams_for_user(user=user).filter(pk=team_id).first()
    if team is None:
        raise Http404("No such team.")
    return team


def user_can_write_team(*, user: User, team: Team) -> bool:
    """Agents work the tickets of their teams; admins may too. Sales and accountants only read."""
    if user.has_role("admin"):
        return True
    return user.has_role("agent") and team.members.filter(pk=user.pk).exists()


def user_team_ids_writable(*, user: User) -> set[int]:
    if user.has_role("admin"):
        return set(Team.objects.values_list("pk", flat=True))
    if not user.has_role("agent"):
        return set()
    return set(Team.objects.filter(members=user).values_list("pk", flat=True))


def tickets_for_user(*, user: User) -> QuerySet[Ticket]:
    tickets = Ticket.objects.all()
    if not user_can_read_helpdesk(user):
        return tickets.none()
    if user_reads_all_teams(user):
        return tickets
    return tickets.filter(team__members=user)


def ticket_get_for_user(*, user: User, ticket_id, for_update: bool = False) -> Ticket:
    """A ticket the user may see (404 otherwise), with what the ticket page shows."""
    qs = tickets_for_user(user=user).select_related(
        "team",
        "team__project",
        "stage",
        "customer",
        "assignee",
        "task",
        "task__project",
        "sale_line",
        "sale_line__order",
        "sale_line__product",
        "sale_line__uom",
        "sale_line__uom__category",
    )
    if for_update:
        qs = qs.select_for_update(of=("self",))
    ticket = qs.filter(pk=ticket_id).first()
    if ticket is None:
        raise Http404("No such ticket.")
    return ticket


# --- Lists and pipeline ---------------------------------------------------------------------
def _total_hours_subquery():
    return Coalesce(
        Subquery(
            TimesheetLine.objects.filter(ticket=OuterRef("pk"))
            .order_by()
            .values("ticket")
            .annotate(total=Sum("hours"))
            .values("total"),
            output_field=DecimalField(max_digits=12, decimal_places=2),
        ),
        Value(HOURS_ZERO),
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )


def ticket_list_rows(tickets: QuerySet[Ticket], *, with_remaining: bool = False) -> QuerySet[Ticket]:
    """What a list row or a pipeline card shows, in one query (`with_remaining`: the item's
    remaining hours too, as `item_remaining_hours`)."""
    rows = tickets.select_related("team", "stage", "customer", "assignee").annotate(
        total_hours=_total_hours_subquery()
    )
    if with_remaining:
        from sales.models import OrderLine

        remaining = sales_selectors.order_lines_with_remaining_hours(
            OrderLine.objects.filter(pk=OuterRef("sale_line_id"))
        ).values("remaining_hours")[:1]
        rows = rows.annotate(
            item_remaining_hours=Subquery(
                remaining, output_field=DecimalField(max_digits=20, decimal_places=2)
            )
        )
    return rows


@dataclass
class PipelineColumn:
    stage: Stage
    count: int
    tickets: list


def team_pipeline(
    *, team: Team, tickets: QuerySet[Ticket], page: int = 1, per_column: int = 20
) -> tuple[list[PipelineColumn], bool]:
    """Columns of the team's stages with their (filtered) tickets: page `page` of each column.

    Three queries whatever the number of tickets: stages, counts per stage, the cards (a window
    function numbers the tickets of each stage, so one query pages every column at once).
    Returns (columns, has_more).
    """
    stages = list(team.stages.order_by("sequence", "id"))
    counts = dict(tickets.order_by().values("stage_id").annotate(n=Count("id")).values_list("stage_id", "n"))
    offset = (page - 1) * per_column
    cards = list(
        ticket_list_rows(tickets)
        .annotate(
            row=Window(
                RowNumber(), partition_by=[F("stage_id")], order_by=[F("priority").desc(), F("id").desc()]
            )
        )
        .filter(row__gt=offset, row__lte=offset + per_column)
        .order_by("stage_id", "row")
    )
    by_stage: dict[int, list] = {}
    for card in cards:
        by_stage.setdefault(card.stage_id, []).append(card)
    columns = [
        PipelineColumn(stage=s, count=counts.get(s.pk, 0), tickets=by_stage.get(s.pk, [])) for s in stages
    ]
    has_more = any(c.count > offset + per_column for c in columns)
    return columns, has_more


# --- One ticket -----------------------------------------------------------------------------
def ticket_default_sale_line(*, team: Team, customer):
    """SPEC Helpdesk: only teams with time billing get a default item (the customer's)."""
    if customer is None or not team.use_billing:
        return None
    return sales_selectors.customer_default_sale_line(customer=customer)


def ticket_sale_line_choices(*, customer):
    """The customer's order lines an agent may pick as the ticket's item (remaining hours annotated)."""
    from sales.models import OrderLine

    if customer is None:
        return OrderLine.objects.none()
    return sales_selectors.customer_sale_lines(customer=customer).select_related(
        "order", "product", "uom", "uom__category"
    )


def ticket_total_hours(*, ticket: Ticket) -> Decimal:
    total = TimesheetLine.objects.filter(ticket=ticket).aggregate(total=Sum("hours"))["total"]
    return total if total is not None else HOURS_ZERO


def ticket_remaining_hours(*, ticket: Ticket) -> Decimal | None:
    if ticket.sale_line_id is None:
        return None
    if "item_remaining_hours" in ticket.__dict__:  # annotated by ticket_list_rows
        value = ticket.item_remaining_hours
        return None if value is None else quantize_qty(value)
    return sales_selectors.order_line_remaining_hours(line=ticket.sale_line)


def ticket_timesheets(*, ticket: Ticket, limit: int = 50) -> list[TimesheetLine]:
    return list(
        TimesheetLine.objects.filter(ticket=ticket)
        .select_related("employee")
        .order_by("-date", "-id")[:limit]
    )


# --- What timesheets asks of tickets (timesheets.tickets, registered in HelpdeskConfig.ready) ---
def tickets_with_team() -> QuerySet[Ticket]:
    """Every ticket, with its team and the team's project."""
    return Ticket.objects.select_related("team__project")


def tickets_of_teams_of(user: User) -> QuerySet[Ticket]:
    """The tickets of the teams `user` is a member of."""
    return tickets_with_team().filter(team__members=user)


def tickets_open_for_time(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Of `tickets`, the open ones whose team records timesheets."""
    return tickets.filter(closed_at__isnull=True, team__use_timesheets=True)


def ticket_team(ticket: Ticket) -> Team:
    """The ticket's team with its project, in one query unless already loaded."""
    if "team" in ticket._state.fields_cache:
        return ticket.team
    return Team.objects.select_related("project").get(pk=ticket.team_id)


@functools.cache
def tickets_for_logging() -> QuerySet[Ticket]:
    """Every ticket with its team and project and, on PostgreSQL, the team's member ids: the
    query that validates a ticket in a timesheet write also answers who may log on it (one
    query fewer on the hottest write). Built once: a queryset is cloned, never changed, by use."""
    tickets = tickets_with_team()
    if connection.vendor != "postgresql":
        return tickets
    from django.contrib.postgres.expressions import ArraySubquery

    members = Team.members.through.objects.filter(team_id=OuterRef("team_id")).values("user_id")
    return tickets.annotate(team_member_ids=ArraySubquery(members))


def ticket_team_has_member(ticket: Ticket, user: User) -> bool:
    member_ids = getattr(ticket, "team_member_ids", None)  # read along (tickets_for_logging)
    if member_ids is not None:
        return user.pk in member_ids
    return ticket.team.members.filter(pk=user.pk).exists()
