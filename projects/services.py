"""Projects writes. CONTRACT: other apps code against these signatures."""

from core.models import User

from .models import Project


def project_create(
    *, name: str, user: User | None = None, customer=None, billable: bool = True, sale_line=None
) -> Project:
    """Create a project (e.g. the project of a helpdesk team with timesheets)."""
    raise NotImplementedError
