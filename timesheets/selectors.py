"""Timesheet reads. CONTRACT: other apps code against these signatures.

Who sees and logs which lines (README "Who may do what"): sales, accountants, admins and
superusers read every line; an agent reads their own lines and the lines on tickets of the
helpdesk teams they belong to (and lines not on a ticket), and logs only their own time, on
tickets of their teams.
"""

from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from core import policy
from core.display import format_hours
from core.models import User
from sales.models import OrderLine, Product, UomCategory
from sales.selectors import order_lines_with_remaining_hours

from . import tickets
from .models import BILLED_HOURS, TimesheetLine


def timesheet_lines_visible(*, user: User) -> QuerySet[TimesheetLine]:
    """Sales, accountants and admins read every line; agents their own, those of their teams'
    tickets, and lines not on a ticket (tasks are shared by all agents).

    The team condition is an `IN (tickets of my teams)` subquery, not a join through the team
    members: a join needs DISTINCT, and DISTINCT over a million rows defeats the (date, id)
    index that answers a page with LIMIT 50."""
    lines = TimesheetLine.objects.all()
    if policy.may(user, "timesheet.read_all"):
        return lines
    if user.has_role("agent"):
        team_tickets = tickets.team_tickets(user=user).values("pk")
        return lines.filter(Q(employee=user) | Q(ticket__isnull=True) | Q(ticket_id__in=team_tickets))
    return lines.none()


def employees_with_timesheets() -> QuerySet[User]:
    """People who logged time (an index probe per user, not a DISTINCT over every line)."""
    logged = TimesheetLine.objects.filter(employee=OuterRef("pk"))
    return User.objects.filter(Exists(logged)).order_by("first_name", "username")


def timesheet_lines_total_hours(lines: QuerySet[TimesheetLine]) -> Decimal:
    return lines.order_by().aggregate(total=Sum("hours"))["total"] or Decimal("0")


def timesheet_lines_day_totals(lines: QuerySet[TimesheetLine], *, days) -> dict:
    """{date: hours} of the (filtered) lines on each of `days` (the days of one page), one query."""
    if not days:
        return {}
    rows = lines.filter(date__in=set(days)).order_by().values("date").annotate(total=Sum("hours"))
    return {row["date"]: row["total"] for row in rows}


def timesheet_lines_totals(lines: QuerySet[TimesheetLine]) -> tuple[Decimal, Decimal]:
    """(actual hours of every line, billed hours of the billable lines), in one query."""
    totals = lines.order_by().aggregate(
        total_hours=Sum("hours"), total_billed=Sum(BILLED_HOURS, filter=Q(sale_line__isnull=False))
    )
    return totals["total_hours"] or Decimal("0"), totals["total_billed"] or Decimal("0")


def _default_sale_line_owner(*, ticket=None, task=None, project=None):
    """SPEC Timesheets, THE rule of which order line time bills by default: the ticket's item;
    else the task's order line (the ticket's task when no task is given); else the project's
    default line (billable projects only). Answers the ticket, task or project whose `sale_line`
    it is, or None (not billable)."""
    if ticket is not None and ticket.sale_line_id:
        return ticket
    if task is None and ticket is not None and ticket.task_id:
        task = ticket.task
    if task is not None and task.sale_line_id:
        return task
    if project is None:
        project = _project_of(ticket=ticket, task=task)
    if project is not None and project.billable and project.sale_line_id:
        return project
    return None


def timesheet_default_sale_line_id(*, ticket=None, task=None, project=None) -> int | None:
    """The id of the order line time on this ticket / task / project bills by default."""
    owner = _default_sale_line_owner(ticket=ticket, task=task, project=project)
    return None if owner is None else owner.sale_line_id


def timesheet_default_sale_line(*, ticket=None, task=None, project=None):
    """The order line time on this ticket / task / project bills by default, or None."""
    owner = _default_sale_line_owner(ticket=ticket, task=task, project=project)
    return None if owner is None else owner.sale_line


def _project_of(*, ticket=None, task=None):
    if ticket is not None:
        team = tickets.ticket_team(ticket)
        if team.use_timesheets and team.project_id:
            return team.project
    if task is not None:
        return task.project
    return None


def user_may_log_for(*, user, employee) -> bool:
    """Agents log their own time; admins (and superusers) may log for anyone."""
    return employee.pk == user.pk or user.is_superuser or user.has_role("admin")


def user_may_log_on_ticket(*, user, ticket) -> bool:
    """A ticket bills its customer: only members of its team (or admins) log time on it."""
    # Membership first: the common case (an agent on their team's ticket) costs one query.
    return (
        tickets.ticket_team_has_member(ticket=ticket, user=user)
        or user.is_superuser
        or user.has_role("admin")
    )


def tickets_user_may_log_on(*, user) -> QuerySet:
    """The rule "ticket.log_time" as a query (its policy scope): for those who log time, every
    ticket for admins and the tickets of their teams for agents. Each with its team and project."""
    if not policy.may(user, "timesheet.log"):
        return tickets.tickets().none()
    if user.is_superuser or user.has_role("admin"):
        return tickets.tickets()
    return tickets.team_tickets(user=user)


def order_lines_past_sold_hours(*, line_ids) -> list[str]:
    """Warnings (not refusals) for order lines whose logged hours went past what was sold: a
    prepaid line's hours (the remaining hours of `sales.selectors`, the one formula) or a
    post-paid line's estimate (its ordered quantity in hours). Two queries."""
    ids = {i for i in line_ids if i}
    if not ids:
        return []
    lines = order_lines_with_remaining_hours(
        OrderLine.objects.filter(pk__in=ids, uom__category__kind=UomCategory.Kind.TIME)
    ).select_related("order", "product", "uom")
    lines = list(lines.order_by("order_id", "sequence", "id"))
    postpaid = [line.pk for line in lines if line.invoice_policy == Product.InvoicePolicy.TIMESHEET]
    logged = dict(
        TimesheetLine.objects.filter(sale_line_id__in=postpaid)
        .order_by()
        .values("sale_line")
        .annotate(total=Sum(BILLED_HOURS))
        .values_list("sale_line", "total")
        if postpaid
        else []
    )
    warnings = []
    for line in lines:
        sold = line.quantity * line.uom.ratio
        name = f"{line.order.name} – {line.description or line.product}"
        if line.remaining_hours is not None and line.remaining_hours < 0:
            warnings.append(
                f"{name}: {format_hours(-line.remaining_hours)} h logged past the "
                f"{format_hours(sold)} h prepaid "
                "(the time is kept; the customer needs a new block)."
            )
        elif line.pk in postpaid and sold > 0 and (logged.get(line.pk) or 0) > sold:
            warnings.append(
                f"{name}: {format_hours(logged[line.pk])} h logged, past the estimate of "
                f"{format_hours(sold)} h "
                "(the time is kept and billed)."
            )
    return warnings
