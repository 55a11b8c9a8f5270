"""Saving a week of cells records one audit event per changed line, written in one INSERT; a
refused week records nothing."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from timesheets.week_services import WeekNotSaved, timesheet_week_save

from .test_week_grid import MONDAY, _on_wednesday, cell, desk, log  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def test_a_week_save_records_every_line_in_one_insert(agent, desk):  # noqa: F811
    ticket, task = desk["ticket"], desk["task"]
    existing = log(agent, MONDAY, "2.00", task=task)
    tuesday = MONDAY + datetime.timedelta(days=1)
    with CaptureQueriesContext(connection) as queries:
        timesheet_week_save(
            employee=agent,
            user=agent,
            monday=MONDAY,
            values={
                cell("task", task, MONDAY): "3",
                cell("ticket", ticket, MONDAY): "1.5",
                cell("ticket", ticket, tuesday): "2",
            },
        )
    inserts = [q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "audit_auditevent"')]
    assert len(inserts) == 1
    edited = AuditEvent.objects.get(action="timesheet.update", object_id=existing.pk)
    assert edited.changes == {"hours": ["2.00", "3.00"]} and edited.actor == agent
    # (the parent's type too: the task's and the ticket's ids may be equal)
    created = AuditEvent.objects.filter(
        action="timesheet.create", parent_type="helpdesk.ticket", parent_id=ticket.pk
    )
    assert sorted(e.changes["hours"][1] for e in created) == ["1.50", "2.00"]


def test_a_refused_week_records_nothing(agent, desk):  # noqa: F811
    ticket = desk["ticket"]
    with pytest.raises(WeekNotSaved):
        timesheet_week_save(
            employee=agent,
            user=agent,
            monday=MONDAY,
            values={
                cell("ticket", ticket, MONDAY): "3",  # saved, then rolled back with the week
                cell("ticket", ticket, MONDAY + datetime.timedelta(days=1)): "x",
            },
        )
    assert not AuditEvent.objects.filter(action__startswith="timesheet.").exists()
