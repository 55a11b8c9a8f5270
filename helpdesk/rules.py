"""The helpdesk rules of `core.policy` that look at the team: an agent changes the tickets of
their own teams (admins every team's); and the tickets each user may read."""

import rules

from core import policy

from . import conversation_selectors, selectors


@rules.predicate
def may_reply_on(user, ticket) -> bool:
    return ticket is None or conversation_selectors.user_can_post_message(user=user, ticket=ticket)


@rules.predicate
def works_in_team(user, ticket_or_team) -> bool:
    if ticket_or_team is None:
        return True
    team = getattr(ticket_or_team, "team", ticket_or_team)
    return selectors.user_can_write_team(user=user, team=team)


policy.register(
    "ticket.change",
    policy.rule("ticket.change").predicate & works_in_team,
    reason=policy.reason("ticket.change"),
    who="agent of the ticket's team, admin",
)
policy.register(
    "ticket.converse",
    policy.is_staff_member | policy.is_customer,
    reason="A ticket's conversation is for staff and the ticket's customer.",
    who="every staff role; customer: their own tickets",
)
policy.register(
    "ticket.reply",
    (policy.is_staff_member | policy.is_customer) & may_reply_on,
    reason="Only the team's agents can write on this ticket.",
    who="agents of the ticket's team, admin; customer: their own tickets",
)
policy.register_scope("ticket", lambda user: selectors.tickets_for_user(user=user))
