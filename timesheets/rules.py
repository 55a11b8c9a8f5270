"""The timesheet rules of `core.policy` that need this app: whose lines one may change, for whom
and on which ticket one may log (also as a query: the tickets one may time or log on), who
approves weeks; and the lines each user may read."""

import rules

from core import policy

from . import selectors
from .approvals import APPROVE_PERMISSION


@rules.predicate
def owns_line(user, line) -> bool:
    return line is None or line.employee_id == user.pk or user.is_superuser


@rules.predicate
def may_log_for(user, employee) -> bool:
    return employee is None or selectors.user_may_log_for(user=user, employee=employee)


@rules.predicate
def may_log_on_ticket(user, ticket) -> bool:
    return ticket is None or selectors.user_may_log_on_ticket(user=user, ticket=ticket)


@rules.predicate
def holds_approve_permission(user) -> bool:
    return user.has_perm(APPROVE_PERMISSION)


logger = policy.rule("timesheet.log").predicate
policy.register(
    "timesheet.change",
    logger & owns_line,
    reason="You can only change or delete your own timesheet lines.",
    who="agent, admin: their own lines",
)
policy.register(
    "timesheet.log_for",
    logger & may_log_for,
    reason="You log your own time; admins may log for anyone.",
    who="agent: themselves; admin: anyone",
)
policy.register(
    "ticket.log_time",
    logger & may_log_on_ticket,
    reason="Only the ticket team's agents log time on it.",
    who="agent of the ticket's team, admin",
)
policy.register(
    "timesheet.approve",
    policy.is_staff_member & (policy.is_admin | holds_approve_permission),
    reason="Only approvers approve or reject timesheets.",
    who="admin, staff with the approving permission",
)
policy.register_scope("timesheet.line", lambda user: selectors.timesheet_lines_visible(user=user))
policy.register_scope("ticket.log_time", lambda user: selectors.tickets_user_may_log_on(user=user))
