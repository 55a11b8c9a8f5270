"""Timesheet reads. CONTRACT: other apps code against these signatures."""


def timesheet_default_sale_line(*, ticket=None, task=None, project=None):
    """The ticket's item; else the task's order line; else the project's default line; else None."""
    if ticket is not None and ticket.sale_line_id:
        return ticket.sale_line
    if task is None and ticket is not None and ticket.task_id:
        task = ticket.task
    if task is not None and task.sale_line_id:
        return task.sale_line
    if project is None:
        project = _project_of(ticket=ticket, task=task)
    if project is not None and project.billable and project.sale_line_id:
        return project.sale_line
    return None


def _project_of(*, ticket=None, task=None):
    if ticket is not None and ticket.team.use_timesheets and ticket.team.project_id:
        return ticket.team.project
    if task is not None:
        return task.project
    return None
