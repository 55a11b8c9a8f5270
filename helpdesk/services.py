"""Helpdesk writes: teams (track & bill time set-up), tickets, the stage pipeline."""

from django.db import transaction
from django.utils import timezone

from audit import services as audit
from core.errors import ConflictError, DomainError
from core.models import STAFF_ROLES, User
from projects.services import project_create
from sales.models import Order
from sales.services import product_ensure_service_on_timesheets
from timesheets.services import timesheets_relink_sale_line

from .models import Stage, Team, Ticket
from .selectors import ticket_default_sale_line

DEFAULT = object()  # "apply the SPEC default" (distinct from None = no item)
DEFAULT_STAGE_NAMES = ("New", "In progress", "Solved", "Cancelled")
TICKET_FIELDS = (
    "title",
    "description",
    "team",
    "customer",
    "assignee",
    "priority",
    "stage",
    "sale_line",
    "task",
)


# --- Teams ----------------------------------------------------------------------------------
def team_validate(*, use_timesheets: bool, use_billing: bool, members=None) -> None:
    if use_billing and not use_timesheets:
        raise DomainError("Time billing needs Timesheets: tick Timesheets too.", field="use_billing")
    if members is not None:
        team_members_validate(members=members)


def team_members_validate(*, members) -> None:
    """Team members work tickets and log billable time: staff only, never a portal customer."""
    outsiders = [m for m in members if not (m.is_superuser or m.has_role(*STAFF_ROLES))]
    if outsiders:
        names = ", ".join(sorted(str(m) for m in outsiders))
        raise DomainError(f"Only staff can be team members (not: {names}).", field="members")


def team_save(*, team: Team, user: User | None = None, members=None, stages=None) -> Team:
    """Create or update a team.

    Timesheets need a project: when none is chosen, one named after the team is created.
    Time billing needs timesheets, and ensures the "Service on Timesheets" product exists.
    A new team (or one left without stages) gets the default stages.
    """
    team_validate(use_timesheets=team.use_timesheets, use_billing=team.use_billing, members=members)
    with transaction.atomic():
        is_new = team.pk is None
        if team.use_timesheets and team.project_id is None:
            team.project = project_create(name=team.name, user=user)
        team.save()
        if members is not None:
            team.members.set(members)
        if stages:
            team.stages.set(stages)
        elif is_new or stages is not None or not team.stages.exists():
            team.stages.set(Stage.objects.filter(name__in=DEFAULT_STAGE_NAMES))
        if team.use_billing:
            product_ensure_service_on_timesheets()
        audit.record(
            actor=user,
            action="team_created" if is_new else "team_changed",
            obj=team,
            use_timesheets=team.use_timesheets,
            use_billing=team.use_billing,
            project=team.project_id,
        )
    return team


# --- Tickets --------------------------------------------------------------------------------
def team_delete(*, team: Team, user: User | None = None) -> None:
    """Delete a team that has no tickets (tickets keep their history: ConflictError)."""
    with transaction.atomic():
        locked = Team.objects.select_for_update().get(pk=team.pk)
        if locked.tickets.exists():
            raise ConflictError(
                f"Team {locked.name} has tickets; it cannot be deleted.", code="team_has_tickets"
            )
        audit.record(actor=user, action="team.delete", obj=locked, name=locked.name)
        locked.delete()


def _validate_ticket(ticket: Ticket) -> None:
    team = ticket.team
    if ticket.stage_id is not None and not team.stages.filter(pk=ticket.stage_id).exists():
        raise DomainError(f"{ticket.stage} is not a stage of the team {team}.", field="stage")
    if ticket.assignee_id is not None and not team.members.filter(pk=ticket.assignee_id).exists():
        raise DomainError(f"{ticket.assignee} is not a member of the team {team}.", field="assignee")
    line = ticket.sale_line
    if line is not None:
        if ticket.customer_id is None or line.order.customer_id != ticket.customer_id:
            raise DomainError("This sales order item belongs to another customer.", field="sale_line")
        if line.order.state not in (Order.State.SALE, Order.State.DONE):
            raise DomainError("Pick an item of a confirmed sales order.", field="sale_line")
    task = ticket.task
    if (
        task is not None
        and ticket.customer_id
        and task.customer_id
        and task.customer_id != ticket.customer_id
    ):
        raise DomainError("This task belongs to another customer.", field="task")


def _first_stage(team: Team) -> Stage:
    stage = team.stages.order_by("sequence", "id").first()
    if stage is None:
        raise DomainError(f"The team {team} has no stages.", field="team")
    return stage


def ticket_create(
    *,
    user: User | None,
    team: Team,
    title: str,
    description: str = "",
    customer=None,
    assignee=None,
    priority: int = Ticket.Priority.LOW,
    stage: Stage | None = None,
    sale_line=DEFAULT,
    task=None,
) -> Ticket:
    """Create a ticket in the team's first stage; the item defaults per SPEC (customer set, item empty)."""
    if not (title or "").strip():
        raise DomainError("A ticket needs a title.", field="title")
    with transaction.atomic():
        if sale_line is DEFAULT or sale_line is None:
            sale_line = ticket_default_sale_line(team=team, customer=customer)
        ticket = Ticket(
            title=title.strip(),
            description=description,
            team=team,
            customer=customer,
            assignee=assignee,
            priority=priority,
            stage=stage or _first_stage(team),
            sale_line=sale_line,
            task=task,
        )
        _validate_ticket(ticket)
        if ticket.stage.is_closed:
            ticket.closed_at = timezone.now()
        ticket.save()
    return ticket


def ticket_update(*, ticket: Ticket, user: User, **fields) -> Ticket:
    """Change a ticket. A new item moves the ticket's not yet billed timesheet lines with it.

    When the customer changes and no item is given, an item of the former customer is replaced by
    the new customer's default.
    """
    unknown = set(fields) - set(TICKET_FIELDS)
    if unknown:
        raise DomainError(f"Unknown ticket field(s): {', '.join(sorted(unknown))}.")
    if "title" in fields and not (fields["title"] or "").strip():
        raise DomainError("A ticket needs a title.", field="title")
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().select_related("team").get(pk=ticket.pk)
        old_sale_line_id = ticket.sale_line_id
        stage = fields.pop("stage", None)
        for name, value in fields.items():
            setattr(ticket, name, value)
        if "customer" in fields and "sale_line" not in fields:
            line = ticket.sale_line
            if line is not None and line.order.customer_id != ticket.customer_id:
                ticket.sale_line = None
            if ticket.sale_line is None:
                ticket.sale_line = ticket_default_sale_line(team=ticket.team, customer=ticket.customer)
        if "team" in fields and not ticket.team.stages.filter(pk=ticket.stage_id).exists():
            ticket.stage = _first_stage(ticket.team)
        _validate_ticket(ticket)
        ticket.save()
        if stage is not None and stage.pk != ticket.stage_id:
            ticket = ticket_set_stage(ticket=ticket, stage=stage, user=user)
        if ticket.sale_line_id != old_sale_line_id:
            timesheets_relink_sale_line(ticket=ticket, sale_line=ticket.sale_line, user=user)
    return ticket


def ticket_set_stage(*, ticket: Ticket, stage: Stage, user: User | None) -> Ticket:
    """Move a ticket to another stage of its team. Closed stages stamp `closed_at`; reopening clears it."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().select_related("team", "stage").get(pk=ticket.pk)
        if not ticket.team.stages.filter(pk=stage.pk).exists():
            raise DomainError(f"{stage} is not a stage of the team {ticket.team}.", field="stage")
        if ticket.stage_id == stage.pk:
            return ticket
        old = ticket.stage
        ticket.stage = stage
        if stage.is_closed and ticket.closed_at is None:
            ticket.closed_at = timezone.now()
        elif not stage.is_closed:
            ticket.closed_at = None
        ticket.save(update_fields=["stage", "closed_at", "updated_at"])
        audit.record(actor=user, action="ticket_stage", obj=ticket, old=old.name, new=stage.name)
    return ticket


def ticket_set_stage_by_name(*, ticket: Ticket, stage_name: str, user: User | None) -> Ticket:
    stage = ticket.team.stages.filter(name__iexact=(stage_name or "").strip()).first()
    if stage is None:
        names = ", ".join(ticket.team.stages.order_by("sequence").values_list("name", flat=True))
        raise DomainError(f"Unknown stage. Choose one of: {names}.", field="stage")
    return ticket_set_stage(ticket=ticket, stage=stage, user=user)
