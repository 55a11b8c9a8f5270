"""The helpdesk tickets that timesheet lines and timers point at, as helpdesk describes them.

helpdesk sits above timesheets: lines and timers name `helpdesk.Ticket` by foreign key only, and
every read of tickets or teams that timesheets needs is one of the functions below, which
helpdesk registers from its `AppConfig.ready()` (`register(TicketSource(...))`). Timesheets
never imports helpdesk nor looks its models up by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.compiled import CompiledGet


@dataclass(frozen=True)
class TicketSource:
    """What helpdesk answers about its tickets (helpdesk.apps registers one)."""

    # Every ticket, each with its team and the team's project loaded.
    every: Callable[[], QuerySet]
    # The tickets of the teams `user` is a member of (with team and project, like `every`).
    of_teams_of: Callable[[Any], QuerySet]
    # Of `tickets`, the open ones whose team records timesheets (what a week row may be).
    open_for_time: Callable[[QuerySet], QuerySet]
    # A ticket's team with its project: one query unless the team is already loaded.
    team_of: Callable[[Any], Any]
    # Is `user` a member of the ticket's team?
    has_member: Callable[[Any, Any], bool]
    # The tickets a timesheet input validates against (like `every`, possibly with what
    # `has_member` needs read along); `every` when not given.
    for_logging: Callable[[], QuerySet] | None = None


_source: TicketSource | None = None


def register(source: TicketSource) -> None:
    global _source
    _source = source


def _registered() -> TicketSource:
    if _source is None:
        raise ImproperlyConfigured("No ticket source: helpdesk registers it in HelpdeskConfig.ready().")
    return _source


def tickets() -> QuerySet:
    return _registered().every()


def team_tickets(*, user) -> QuerySet:
    return _registered().of_teams_of(user)


def tickets_for_logging() -> QuerySet:
    source = _registered()
    return source.for_logging() if source.for_logging is not None else source.every()


def open_for_time(ticket_queryset: QuerySet) -> QuerySet:
    return _registered().open_for_time(ticket_queryset)


def ticket_team(ticket):
    return _registered().team_of(ticket)


def ticket_team_has_member(*, ticket, user) -> bool:
    return _registered().has_member(ticket, user)


# The ticket of a timesheet input, compiled once (core.compiled): the hottest write reads it.
_ticket_for_logging = CompiledGet(tickets_for_logging)


@extend_schema_field(OpenApiTypes.INT)
class TicketField(serializers.PrimaryKeyRelatedField):
    """A ticket by id in an API input: any ticket (the policy decides on which one may log), read
    with what logging on it needs (`tickets_for_logging`)."""

    def get_queryset(self):
        return tickets_for_logging().all()  # a clone: the source may hand out one built queryset

    def to_internal_value(self, data):
        # DRF's PrimaryKeyRelatedField, with the ticket read by the compiled query.
        if self.pk_field is not None:
            data = self.pk_field.to_internal_value(data)
        try:
            if isinstance(data, bool):
                raise TypeError
            return _ticket_for_logging.get(data)
        except ObjectDoesNotExist:
            self.fail("does_not_exist", pk_value=data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
