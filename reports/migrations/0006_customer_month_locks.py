"""The customer-month summary under concurrent customer changes (fixes a race of 0004).

A timesheet line's customer comes from another row (its ticket's, task's or project's), read by
the triggers when they compute a delta. Django's foreign keys are checked at commit, so a line
being logged took no lock on its ticket when the delta was computed: a concurrent change of the
ticket's customer did not see that line (not yet committed) and the line's delta used the old
customer, leaving its hours under the old customer for good. Now:
- an INSERT of timesheet lines first takes FOR SHARE on their tickets, tasks and projects (so a
  customer change waits for the logger to commit, or the logger waits for the change and then
  reads the new customer: each statement of the function takes a new snapshot);
- a customer change of a ticket, task or project first locks the orders of its timesheet lines
  (house lock order: orders before timesheet lines), then its timesheet lines FOR SHARE (a
  concurrent invoicing or edit commits first and is then seen), then computes the move.
Lock order: ticket / task / project -> orders -> timesheet lines, for loggers (the INSERT's
orders are locked by the later triggers) and for customer changes alike.
"""

import importlib

from django.db import migrations

PREVIOUS = importlib.import_module("reports.migrations.0004_hours_by_customer_month")

SHARE_OWNERS = """
    PERFORM 1 FROM helpdesk_ticket WHERE id IN (SELECT ticket_id FROM new_rows) ORDER BY id FOR SHARE;
    PERFORM 1 FROM projects_task WHERE id IN (SELECT task_id FROM new_rows) ORDER BY id FOR SHARE;
    PERFORM 1 FROM projects_project WHERE id IN (SELECT project_id FROM new_rows) ORDER BY id FOR SHARE;
"""


def lock_lines(where: str) -> str:
    return f"""
    PERFORM 1 FROM sales_order o
    WHERE o.id IN (SELECT l.order_id FROM sales_orderline l
                   WHERE l.id IN (SELECT t.sale_line_id FROM timesheets_timesheetline t WHERE {where}))
    ORDER BY o.id FOR NO KEY UPDATE;  -- the mode of core.locks.lock_rows
    PERFORM 1 FROM timesheets_timesheetline t WHERE {where} ORDER BY t.id FOR SHARE;
"""


FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION reports_hours_by_customer_month_timesheets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {SHARE_OWNERS}
        {PREVIOUS.APPEND % PREVIOUS.NEW_ROWS}
    ELSIF TG_OP = 'DELETE' THEN
        {PREVIOUS.APPEND % PREVIOUS.OLD_ROWS}
    ELSE
        {PREVIOUS.APPEND % (PREVIOUS.OLD_ROWS + " UNION ALL " + PREVIOUS.NEW_ROWS)}
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION reports_hours_by_customer_month_ticket() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {lock_lines("t.ticket_id = NEW.id")}
    {PREVIOUS.MOVED_TICKET}
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION reports_hours_by_customer_month_task() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {lock_lines("t.task_id = NEW.id")}
    {PREVIOUS.MOVED_TASK}
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION reports_hours_by_customer_month_project() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {lock_lines("t.project_id = NEW.id")}
    {PREVIOUS.MOVED_PROJECT}
    RETURN NULL;
END $$;
"""


def replace_functions(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTIONS)


def restore_functions(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # Back to 0004's functions and triggers as they were (drop, then create them whole).
        schema_editor.execute(PREVIOUS.DROP + PREVIOUS.CREATE)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_hours_by_order_line"),
    ]

    operations = [
        migrations.RunPython(replace_functions, restore_functions),
    ]
