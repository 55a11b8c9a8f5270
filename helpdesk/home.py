"""The helpdesk's figures on the home page (core.home): my open tickets; teams without a project."""

from django.urls import reverse

from core.home import Figure

from .models import Team, Ticket


def agent_figures(*, user) -> list[Figure]:
    open_tickets = Ticket.objects.filter(assignee=user, stage__is_closed=False).count()
    return [
        Figure(
            key="open_tickets",
            label="My open tickets",
            value=str(open_tickets),
            url=f"{reverse('helpdesk:ticket_list')}?mine=1&open=1",
            position=10,
        )
    ]


def admin_figures(*, user) -> list[Figure]:
    without_project = Team.objects.filter(project__isnull=True).count()
    return [
        Figure(
            key="teams_without_project",
            label="Teams without project",
            value=str(without_project),
            url=f"{reverse('admin:helpdesk_team_changelist')}?project__isnull=True",
            hint="Their tickets cannot log time until a project is set.",
            attention=without_project > 0,
        )
    ]
