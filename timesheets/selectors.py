"""Timesheet reads. CONTRACT: other apps code against these signatures."""


def timesheet_default_sale_line(*, ticket=None, task=None, project=None):
    """The ticket's item; else the task's order line; else the project's default line; else None."""
    raise NotImplementedError
